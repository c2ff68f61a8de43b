import { z } from 'zod';
import { confirmation, newPassword, username } from './fields.js';

/**
 * First run, as with "SMTP configuration off" (nothing can be mailed yet): the UI Admin and UI Primary
 * Customer Support accounts.
 * The setup code may be left empty here: only the server knows whether this browser must give it
 * (POSTERN_SETUP_TRUST_LOOPBACK), and it alone can tell a right code from a wrong one.
 */
export const setupSchema = z
	.object({
		setupCode: z.string().max(64, 'The setup code is 16 characters in four groups of four.'),
		adminUsername: username('UI Admin Username'),
		adminPassword: newPassword,
		adminConfirm: confirmation,
		supportUsername: username('UI Primary Customer Support Username'),
		supportPassword: newPassword,
		supportConfirm: confirmation
	})
	.superRefine((v, ctx) => {
		if (v.adminPassword.toLowerCase() === v.adminUsername.toLowerCase())
			ctx.addIssue({
				code: 'custom',
				path: ['adminPassword'],
				message: 'The password must not be the username.'
			});
		if (v.supportPassword.toLowerCase() === v.supportUsername.toLowerCase())
			ctx.addIssue({
				code: 'custom',
				path: ['supportPassword'],
				message: 'The password must not be the username.'
			});
		if (v.adminConfirm !== v.adminPassword)
			ctx.addIssue({
				code: 'custom',
				path: ['adminConfirm'],
				message: 'The passwords do not match.'
			});
		if (v.supportConfirm !== v.supportPassword)
			ctx.addIssue({
				code: 'custom',
				path: ['supportConfirm'],
				message: 'The passwords do not match.'
			});
		if (v.supportUsername && v.supportUsername.toLowerCase() === v.adminUsername.toLowerCase())
			ctx.addIssue({
				code: 'custom',
				path: ['supportUsername'],
				message: 'Must differ from the UI Admin Username (letter case does not count).'
			});
	});
