/**
 * The notification profile form's limits, grouping choices and recipient list rules: plain values and
 * functions, shared by the browser (adding recipients one by one) and the server (schemas/notification-profiles.ts).
 */
import { isEmailAddress } from '../email-address.js';

export const MAX_RECIPIENTS = 100;

/** Off, or a window in minutes: launches inside it go out as one digest per recipient. */
export const GROUPING_CHOICES = [0, 1, 5, 15] as const;
export const GROUPING_LABELS: Record<(typeof GROUPING_CHOICES)[number], string> = {
	0: 'Off: one e-mail per launch',
	1: '1 minute',
	5: '5 minutes',
	15: '15 minutes'
};

/** A typed recipient, trimmed and lower-cased, or null when it is not an e-mail address. */
export function readRecipientAddress(typed: string): string | null {
	const address = typed.trim().toLowerCase();
	return isEmailAddress(address) ? address : null;
}

/**
 * The recipients with the typed one added: lower-cased, in order, each once. The typed address is expected to
 * be valid (the schema checked it).
 */
export function withPendingRecipient(recipients: string[], pending: string): string[] {
	const all = [...recipients, pending].map((r) => r.trim().toLowerCase()).filter(Boolean);
	return [...new Set(all)];
}
