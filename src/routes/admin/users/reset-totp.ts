/**
 * "Reset TOTP" by domain and username (/admin/users): for local users and for LDAP users, who are not listed
 * here. The username is kept as typed (trimmed): the directory decides whether it exists.
 */
import { z } from 'zod';
import { singleLine, UUID_PATTERN } from '#lib/schemas/fields.js';

export const resetTotpSchema = z.object({
	domainId: z.string().regex(UUID_PATTERN, 'Choose the identity provider.'),
	username: singleLine('Username')
		.min(1, 'Enter the username.')
		.max(256, 'Username must be at most 256 characters.')
});

export type ResetTotpForm = z.infer<typeof resetTotpSchema>;
