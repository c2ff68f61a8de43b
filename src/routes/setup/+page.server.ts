import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { setupSchema } from '#lib/schemas/setup.js';
import { completeSetup, isSetupDone } from '#lib/server/auth/admins.js';
import { findPasswordProblem } from '#lib/server/password-rules.js';
import { createSession, setSessionCookie } from '#lib/server/auth/session.js';
import {
	eraseSetupCode,
	findSetupCodeProblem,
	setupCodeFile
} from '#lib/server/auth/setup-code.js';
import { maySkipSetupCode } from '#lib/server/auth/setup-access.js';
import { recordAudit } from '#lib/server/audit.js';
import { config } from '#lib/server/config.js';
import { log } from '#lib/server/log.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

/** Whether this browser must give the setup code (see setup-access.ts for when it need not). */
function setupCodeRequired(event: RequestEvent) {
	return !maySkipSetupCode({
		trustLoopback: config.setupTrustLoopback,
		trustProxy: config.trustProxy,
		publicUrl: config.publicUrl,
		clientAddress: clientMeta(event).ip,
		headers: event.request.headers
	});
}

export const load: PageServerLoad = async (event) => {
	// After the setup POST itself the page must render (it shows the recovery codes once).
	if (event.request.method === 'GET' && (await isSetupDone())) redirect(303, '/admin');
	return {
		form: await superValidate(zod4(setupSchema)),
		setupCode: { required: setupCodeRequired(event), file: setupCodeFile(config.dataDir) }
	};
};

export const actions: Actions = {
	default: async (event) => {
		if (await isSetupDone()) redirect(303, '/admin/login');
		const form = await superValidate(event.request, zod4(setupSchema));
		const clear = () => {
			// the setup code is a secret too: it never comes back in a page
			form.data.setupCode = '';
			form.data.adminPassword = form.data.adminConfirm = '';
			form.data.supportPassword = form.data.supportConfirm = '';
		};
		// Checked before anything else and reported with the other field errors; a wrong code creates nothing.
		const codeProblem = setupCodeRequired(event)
			? await findSetupCodeProblem(form.data.setupCode ?? '')
			: null;
		if (codeProblem) {
			setError(form, 'setupCode', codeProblem);
			if (form.data.setupCode)
				log.warn({ event: 'setup_code_refused', ip: clientMeta(event).ip }, 'wrong setup code');
		}
		if (!form.valid || codeProblem) {
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
		// Spent: the code opens nothing any more (and start-up erases what another instance left behind).
		await eraseSetupCode(config.dataDir);

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
