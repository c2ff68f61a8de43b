import { fail, redirect } from '@sveltejs/kit';
import {
	confirmLoginTotpSetup,
	getLoginTotpSetup,
	setUserSessionCookie
} from '#lib/server/login/index.js';
import { clientMeta } from '#lib/server/request.js';
import { forgetPendingLogin, pendingToken } from '#lib/server/user-request.js';
import type { Actions, PageServerLoad } from './$types';

export const csr = false;

export const load: PageServerLoad = async (event) => {
	// Reads only: the password step (POST /login) began the enrollment and mailed the key if it is to be mailed.
	const result = await getLoginTotpSetup({ token: pendingToken(event) });
	if (!result.ok) {
		if (result.reason === 'enrolled') redirect(303, '/login/totp');
		if (result.reason === 'not-started') redirect(303, '/login?notice=totp-reset');
		redirect(303, '/login?notice=expired');
	}
	const s = result.setup;
	return {
		qrSvg: s.qrSvg,
		keyText: s.keyText,
		algorithm: s.algorithm,
		digits: s.digits,
		period: s.period,
		account: s.account,
		issuer: s.issuer,
		keyMailedTo: s.keyMailedTo,
		keyMailNotice: s.keyMailNotice
	};
};

export const actions: Actions = {
	default: async (event) => {
		const code = String((await event.request.formData()).get('code') ?? '').replace(/\s/g, '');
		if (!/^\d{6,8}$/.test(code))
			return fail(400, { error: 'Enter the code your authenticator shows (digits only).' });
		const result = await confirmLoginTotpSetup({
			token: pendingToken(event),
			code,
			...clientMeta(event)
		});
		if (!result.ok) {
			if (result.reason === 'no-login') redirect(303, '/login?notice=expired');
			if (result.reason === 'enrolled') redirect(303, '/login/totp');
			if (result.reason === 'setup-required') redirect(303, '/login?notice=totp-reset');
			return fail(result.reason === 'throttled' ? 429 : 400, { error: result.message });
		}
		forgetPendingLogin(event.cookies, event.locals.secure);
		setUserSessionCookie(event.cookies, result.token, event.locals.secure);
		redirect(303, '/portal');
	}
};
