import { fail } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { changePasswordSchema, regenerateCodesSchema } from '#lib/schemas/auth.js';
import { findPasswordProblem } from '#lib/server/password-rules.js';
import {
	changeOwnPassword,
	confirmCurrentPassword,
	regenerateCodesAfterReauth
} from '#lib/server/auth/account.js';
import { countUnusedRecoveryCodes, RECOVERY_CODE_COUNT } from '#lib/server/auth/recovery-codes.js';
import { setSessionCookie } from '#lib/server/auth/session.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const admin = locals.admin!;
	return {
		passwordForm: await superValidate(zod4(changePasswordSchema), { id: 'password' }),
		codesForm: await superValidate(zod4(regenerateCodesSchema), { id: 'codes' }),
		unusedCodes: await countUnusedRecoveryCodes(admin.id),
		totalCodes: RECOVERY_CODE_COUNT
	};
};

export const actions: Actions = {
	password: async (event) => {
		const admin = event.locals.admin!;
		const form = await superValidate(event.request, zod4(changePasswordSchema), { id: 'password' });
		const { currentPassword, newPassword } = form.data;
		form.data.currentPassword = form.data.newPassword = form.data.confirm = '';
		if (!form.valid) return fail(400, { passwordForm: form });

		const meta = clientMeta(event);
		const reauth = await confirmCurrentPassword(admin.id, admin.username, currentPassword, meta.ip);
		if (!reauth.ok)
			return setError(form, 'currentPassword', reauth.message, { status: reauth.status });
		const problem =
			(await findPasswordProblem(newPassword, admin.username)) ??
			(newPassword === currentPassword
				? 'Choose a password different from the current one.'
				: null);
		if (problem) return setError(form, 'newPassword', problem);

		const token = await changeOwnPassword({
			adminId: admin.id,
			username: admin.username,
			newPassword,
			...meta
		});
		setSessionCookie(event.cookies, token, event.locals.secure);
		return message(form, 'Password changed. Your other sessions have been signed out.');
	},
	codes: async (event) => {
		const admin = event.locals.admin!;
		const form = await superValidate(event.request, zod4(regenerateCodesSchema), { id: 'codes' });
		const { currentPassword } = form.data;
		form.data.currentPassword = '';
		if (!form.valid) return fail(400, { codesForm: form });

		const result = await regenerateCodesAfterReauth({
			adminId: admin.id,
			username: admin.username,
			currentPassword,
			ip: clientMeta(event).ip
		});
		if (!result.ok)
			return setError(form, 'currentPassword', result.message, { status: result.status });
		return { codesForm: form, codes: result.codes };
	}
};
