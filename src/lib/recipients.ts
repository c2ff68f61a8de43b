/**
 * Comma-separated recipient lists (the Site Config's Default Recipients): every entry validated, lower-cased and
 * de-duplicated; an error names the bad entry. Shared by the form (live) and the server.
 */
import { isEmailAddress } from './email-address.js';

export type RecipientParse = { ok: true; recipients: string[] } | { ok: false; error: string };

export function parseRecipientList(text: string, { max = 100 } = {}): RecipientParse {
	if (/[\r\n]/.test(text))
		return { ok: false, error: 'Separate addresses with commas, on one line.' };
	const entries = text
		.split(/[,;]/)
		.map((e) => e.trim())
		.filter(Boolean);
	const seen = new Set<string>();
	for (const entry of entries) {
		const lower = entry.toLowerCase();
		if (!isEmailAddress(lower)) return { ok: false, error: `"${entry}" is not an e-mail address.` };
		seen.add(lower);
	}
	if (seen.size > max) return { ok: false, error: `At most ${max} recipients.` };
	return { ok: true, recipients: [...seen] };
}
