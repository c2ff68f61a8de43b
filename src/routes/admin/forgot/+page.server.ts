import { fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { forgotSchema } from '#lib/schemas/auth.js';
import { findPasswordProblem } from '#lib/server/password-rules.js';
import { resetPasswordWithRecoveryCode } from '#lib/server/auth/recover.js';
import { clientMeta } from '#lib/server/request.js';
import { resetRequestSchema } from '#lib/schemas/site.js';
import { isResetByMailOffered, requestResetLink } from '#lib/server/site/reset-by-mail.js';
import { config } from '#lib/server/config.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({
	form: await superValidate(zod4(forgotSchema)),
	linkForm: await superValidate(zod4(resetRequestSchema), { id: 'link' }),
	resetByMail: await isResetByMailOffered()
});

export const actions: Actions = {
	/** With site SMTP on, a single-use link by e-mail; the same answer whatever the account. */
	link: async (event) => {
		const form = await superValidate(event.request, zod4(resetRequestSchema), { id: 'link' });
		if (!form.valid) return fail(400, { linkForm: form });
		const result = await requestResetLink({
			username: form.data.username,
			ip: clientMeta(event).ip,
			publicUrl: config.publicUrl
		});
		if (!result.ok) return message(form, result.message, { status: 429 });
		return message(
			form,
			'If that account has an e-mail address, a reset link is on its way. It works once, for 30 minutes.'
		);
	},
	code: async (event) => {
		const form = await superValidate(event.request, zod4(forgotSchema));
		const { recoveryCode, newPassword } = form.data;
		form.data.recoveryCode = form.data.newPassword = form.data.confirm = '';
		if (!form.valid) return fail(400, { form });

		// The new password is checked first, so a weak one never spends a recovery code.
		const problem = await findPasswordProblem(newPassword, form.data.username);
		if (problem) return setError(form, 'newPassword', problem);

		const result = await resetPasswordWithRecoveryCode({
			username: form.data.username,
			recoveryCode,
			newPassword,
			ip: clientMeta(event).ip
		});
		if (!result.ok) return message(form, result.message, { status: result.status as 400 | 429 });
		redirect(303, '/admin/login?notice=password-reset');
	}
};
