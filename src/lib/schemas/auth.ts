import { z } from 'zod';
import { confirmation, enteredPassword, newPassword, singleLine, username } from './fields.js';

export const loginSchema = z.object({
	username: username(),
	password: enteredPassword
});

const confirmMatches = <T extends { newPassword: string; confirm: string }>(
	v: T,
	ctx: z.RefinementCtx
) => {
	if (v.confirm !== v.newPassword)
		ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The passwords do not match.' });
};

export const forgotSchema = z
	.object({
		username: username(),
		recoveryCode: singleLine('Recovery code', 'Enter one of your recovery codes.')
			.min(1, 'Enter one of your recovery codes.')
			.max(40, 'That is not a recovery code.'),
		newPassword,
		confirm: confirmation
	})
	.superRefine(confirmMatches);

export const changePasswordSchema = z
	.object({
		currentPassword: enteredPassword,
		newPassword,
		confirm: confirmation
	})
	.superRefine(confirmMatches);

export const regenerateCodesSchema = z.object({
	currentPassword: enteredPassword
});
