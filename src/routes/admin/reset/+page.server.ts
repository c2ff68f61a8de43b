import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resetWithLinkSchema } from '#lib/schemas/site.js';
import { findPasswordProblem } from '#lib/server/password-rules.js';
import { describeResetLink, resetPasswordWithLink } from '#lib/server/site/reset-by-mail.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const token = url.searchParams.get('token') ?? '';
	const username = token.length > 20 && token.length < 100 ? await describeResetLink(token) : null;
	return {
		username,
		token: username ? token : '',
		form: await superValidate(zod4(resetWithLinkSchema))
	};
};

export const actions: Actions = {
	default: async (event) => {
		const token = event.url.searchParams.get('token') ?? '';
		const form = await superValidate(event.request, zod4(resetWithLinkSchema));
		const { newPassword } = form.data;
		form.data.newPassword = form.data.confirm = '';
		if (!form.valid) return fail(400, { form });
		const username = await describeResetLink(token);
		if (!username)
			return setError(form, '', 'This link has expired or was already used. Ask for a new one.');
		const problem = await findPasswordProblem(newPassword, username);
		if (problem) return setError(form, 'newPassword', problem);
		if (!(await resetPasswordWithLink({ token, newPassword, ip: clientMeta(event).ip })))
			return setError(form, '', 'This link has expired or was already used. Ask for a new one.');
		redirect(303, '/admin/login?notice=password-reset');
	}
};
