/**
 * The mail log's filters, read from the query string (a GET form, so a filtered view is a link to share), and
 * its Resend button. A filter value that is not valid is a field error and filters nothing.
 */
import { z } from 'zod';
import { UUID_PATTERN } from './fields.js';

export const MAIL_KIND_CHOICES = [
	'email-otp',
	'totp-key',
	'reset-link',
	'sample-code',
	'config-test',
	'notification',
	'alert'
] as const;
export const MAIL_STATUS_CHOICES = ['queued', 'sending', 'sent', 'retrying', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUS_CHOICES)[number];

export const MAIL_KIND_LABELS: Record<(typeof MAIL_KIND_CHOICES)[number], string> = {
	'email-otp': 'Sign-in code',
	'totp-key': 'TOTP key',
	'reset-link': 'Password-reset link',
	'sample-code': 'Sample code',
	'config-test': 'Configuration test',
	notification: 'Notification',
	alert: 'Alert'
};
export const MAIL_STATUS_LABELS: Record<(typeof MAIL_STATUS_CHOICES)[number], string> = {
	queued: 'Queued',
	sending: 'Sending',
	sent: 'Sent',
	retrying: 'Retrying',
	failed: 'Failed'
};

/** Each filter: blank ("any") or a valid value. */
export const mailLogFilterSchema = z.object({
	kind: z
		.union([z.literal(''), z.enum(MAIL_KIND_CHOICES)], { error: 'Choose a kind from the list.' })
		.default(''),
	status: z
		.union([z.literal(''), z.enum(MAIL_STATUS_CHOICES)], {
			error: 'Choose a status from the list.'
		})
		.default(''),
	server: z
		.string()
		.refine((v) => v === '' || UUID_PATTERN.test(v), 'Choose a server from the list.')
		.default(''),
	to: z
		.string()
		.trim()
		.max(254, 'Recipient must be at most 254 characters.')
		.refine(
			(v) => v === '' || z.email().safeParse(v).success,
			'Recipient is not an e-mail address: enter the whole address.'
		)
		.default('')
});

export type MailLogFilterForm = z.infer<typeof mailLogFilterSchema>;

export const resendSchema = z.object({
	id: z.string().regex(UUID_PATTERN, 'Choose a message of the log.')
});
