import { fail, redirect } from '@sveltejs/kit';
import {
	describeLoginTotp,
	setUserSessionCookie,
	verifyLoginTotp
} from '#lib/server/login/index.js';
import { clientMeta } from '#lib/server/request.js';
import { forgetPendingLogin, pendingToken } from '#lib/server/user-request.js';
import type { Actions, PageServerLoad } from './$types';

export const csr = false;

export const load: PageServerLoad = async (event) => {
	const view = await describeLoginTotp(pendingToken(event));
	if (!view) redirect(303, '/login?notice=expired');
	return view;
};

export const actions: Actions = {
	default: async (event) => {
		const code = String((await event.request.formData()).get('code') ?? '').replace(/\s/g, '');
		if (!/^\d{6,8}$/.test(code))
			return fail(400, { error: 'Enter the code your authenticator shows (digits only).' });
		const result = await verifyLoginTotp({
			token: pendingToken(event),
			code,
			...clientMeta(event)
		});
		if (!result.ok) {
			if (result.reason === 'no-login') redirect(303, '/login?notice=expired');
			// reset by an admin meanwhile: signing in again begins the new enrollment (and mails its key)
			if (result.reason === 'setup-required') redirect(303, '/login?notice=totp-reset');
			return fail(result.reason === 'throttled' ? 429 : 400, { error: result.message });
		}
		forgetPendingLogin(event.cookies, event.locals.secure);
		setUserSessionCookie(event.cookies, result.token, event.locals.secure);
		redirect(303, '/portal');
	}
};
