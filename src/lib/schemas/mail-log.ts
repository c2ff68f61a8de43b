/**
 * The mail log's filters, read from the query string (a GET form, so a filtered view is a link to share), and
 * its Resend button. A filter value that is not valid is a field error and filters nothing.
 */
import { z } from 'zod';
import { MAIL_KIND_CHOICES, MAIL_STATUS_CHOICES } from '../choices/mail-log.js';
import { UUID_PATTERN } from './fields.js';

export {
	MAIL_KIND_CHOICES,
	MAIL_STATUS_CHOICES,
	MAIL_KIND_LABELS,
	MAIL_STATUS_LABELS
} from '../choices/mail-log.js';
export type { MailStatus } from '../choices/mail-log.js';

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
