/** Field rules shared by several forms. Nothing here trims: passwords keep every character (ASVS 6.2.x). */
import { z } from 'zod';
import { PASSWORD_MAX } from '../password-policy.js';

/** Refuses CR and LF, which would let a value smuggle extra mail headers or log lines. */
export const singleLine = (label: string) =>
	z.string().refine((v) => !/[\r\n]/.test(v), `${label} must be on one line.`);

export const username = (label = 'Username') =>
	z
		.string()
		.min(1, `Enter the ${label.toLowerCase()}.`)
		.max(64, `${label} must be at most 64 characters.`)
		.regex(/^[A-Za-z0-9._@-]+$/, `${label} may use letters, digits and . _ @ - only.`);

/** Shape-only password rule for the client; the server adds the common-password check. */
export const newPassword = z
	.string()
	.min(12, 'Use at least 12 characters.')
	.max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`);

/** A password being checked (sign-in, current password): any length up to the maximum. */
export const enteredPassword = z
	.string()
	.min(1, 'Enter the password.')
	.max(PASSWORD_MAX, `Passwords are at most ${PASSWORD_MAX} characters.`);
