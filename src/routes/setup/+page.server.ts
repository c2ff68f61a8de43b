import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { setupSchema } from '#lib/schemas/setup.js';
import { completeSetup, isSetupDone } from '#lib/server/auth/admins.js';
import { findPasswordProblem } from '#lib/password-policy.js';
import { createSession, setSessionCookie } from '#lib/server/auth/session.js';
import { recordAudit } from '#lib/server/audit.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ request }) => {
	// After the setup POST itself the page must render (it shows the recovery codes once).
	if (request.method === 'GET' && (await isSetupDone())) redirect(303, '/admin');
	return { form: await superValidate(zod4(setupSchema)) };
};

export const actions: Actions = {
	default: async (event) => {
		if (await isSetupDone()) redirect(303, '/admin/login');
		const form = await superValidate(event.request, zod4(setupSchema));
		const clear = () => {
			form.data.adminPassword = form.data.adminConfirm = '';
			form.data.supportPassword = form.data.supportConfirm = '';
		};
		if (!form.valid) {
			clear();
			return fail(400, { form });
		}
		const [adminProblem, supportProblem] = await Promise.all([
			findPasswordProblem(form.data.adminPassword, form.data.adminUsername),
			findPasswordProblem(form.data.supportPassword, form.data.supportUsername)
		]);
		if (adminProblem) setError(form, 'adminPassword', adminProblem);
		if (supportProblem) setError(form, 'supportPassword', supportProblem);
		if (adminProblem || supportProblem) {
			clear();
			return fail(400, { form });
		}

		const result = await completeSetup(form.data);
		if (!result) redirect(303, '/admin/login');

		const meta = clientMeta(event);
		const token = await createSession(result.admin.id, meta);
		setSessionCookie(event.cookies, token, event.locals.secure);
		await recordAudit({
			actor: result.admin.username,
			action: 'setup.completed',
			ip: meta.ip,
			detail: { admin: form.data.adminUsername, support: form.data.supportUsername }
		});
		clear();
		return { form, codes: result.codes, username: result.admin.username };
	}
};
