import { fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { forgotSchema } from '#lib/schemas/auth.js';
import { findPasswordProblem } from '#lib/password-policy.js';
import { resetPasswordWithRecoveryCode } from '#lib/server/auth/recover.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({ form: await superValidate(zod4(forgotSchema)) });

export const actions: Actions = {
	default: async (event) => {
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
