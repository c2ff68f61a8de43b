/**
 * The application form (/admin/applications): what users launch from the portal. Shared by the browser
 * (zod4Client) and the server (superValidate + zod4).
 */
import { z } from 'zod';
import { multiLine, singleLine } from './fields.js';

/** Only web addresses: a `javascript:` or `data:` URL would run script when a user launches it. */
export function isWebUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
	} catch {
		return false;
	}
}

export const applicationSchema = z.object({
	name: singleLine('Name')
		.min(1, 'Enter the name.')
		.max(100, 'Name must be at most 100 characters.'),
	url: singleLine('URL', 'Enter the URL.')
		.min(1, 'Enter the URL.')
		.max(2048, 'URL must be at most 2048 characters.')
		.refine((v) => v === '' || isWebUrl(v), 'Enter an address starting with https:// or http://.'),
	description: multiLine('Description')
		.trim()
		.max(1000, 'Description must be at most 1000 characters.')
		.default('')
});

export type ApplicationForm = z.infer<typeof applicationSchema>;

export const applicationFormDefaults: ApplicationForm = { name: '', url: '', description: '' };
