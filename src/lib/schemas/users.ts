/**
 * Local domain users (/admin/users): username, display name, Email, password (set or reset), disabled.
 * Three forms: create (with the first password), edit (no password), set password.
 * The server adds the common-password check (server/password-rules.ts findPasswordProblem).
 */
import { z } from 'zod';
import { newPassword, singleLine, username } from './fields.js';

const displayName = singleLine('Display name')
	.max(128, 'Display name must be at most 128 characters.')
	.default('');

/** Optional: a user without one cannot sign in on a domain that mails codes (they are told why). */
const email = singleLine('Email')
	.max(254, 'Email must be at most 254 characters.')
	.default('')
	.refine((v) => v === '' || z.email().safeParse(v).success, 'Email is not an e-mail address.');

export const createUserSchema = z.object({
	username: username('Username'),
	displayName,
	email,
	password: newPassword,
	disabled: z.boolean().default(false)
});

export const editUserSchema = z.object({
	displayName,
	email,
	disabled: z.boolean().default(false)
});

export const setUserPasswordSchema = z.object({ password: newPassword });

export type CreateUserForm = z.infer<typeof createUserSchema>;
export type EditUserForm = z.infer<typeof editUserSchema>;
export type SetUserPasswordForm = z.infer<typeof setUserPasswordSchema>;
