import { fail, redirect } from '@sveltejs/kit';
import {
	OTP_NOTICES,
	describeLoginEmailOtp,
	noticeText,
	resendLoginEmailOtp,
	setUserSessionCookie,
	verifyLoginEmailOtp
} from '#lib/server/login/index.js';
import { sendUserMail } from '#lib/server/user-mail.js';
import { clientMeta } from '#lib/server/request.js';
import { forgetPendingLogin, pendingToken } from '#lib/server/user-request.js';
import type { Actions, PageServerLoad } from './$types';

export const csr = false;

export const load: PageServerLoad = async (event) => {
	const view = await describeLoginEmailOtp(pendingToken(event));
	if (!view) redirect(303, '/login?notice=expired');
	return {
		destination: view.destination ?? 'your e-mail address',
		codeLength: view.codeLength,
		validMinutes: view.validMinutes,
		cooldownSeconds: view.cooldownSeconds,
		expired: view.expired,
		usedUp: view.usedUp,
		// a key, never text from the link itself
		notice: noticeText(OTP_NOTICES, event.url.searchParams.get('notice'))
	};
};

export const actions: Actions = {
	verify: async (event) => {
		const code = String((await event.request.formData()).get('code') ?? '').replace(/\s/g, '');
		if (!/^\d{6,8}$/.test(code))
			return fail(400, { error: 'Enter the code from the e-mail (digits only).' });
		const result = await verifyLoginEmailOtp({
			token: pendingToken(event),
			code,
			...clientMeta(event)
		});
		if (!result.ok) {
			if (result.reason === 'no-login') redirect(303, '/login?notice=expired');
			return fail(result.reason === 'throttled' ? 429 : 400, {
				error: result.message,
				// only a new code helps now: the page puts "Resend code" first
				usedUp: result.reason === 'burned'
			});
		}
		forgetPendingLogin(event.cookies, event.locals.secure);
		setUserSessionCookie(event.cookies, result.token, event.locals.secure);
		redirect(303, '/portal');
	},
	resend: async (event) => {
		const result = await resendLoginEmailOtp({
			token: pendingToken(event),
			send: sendUserMail,
			...clientMeta(event)
		});
		if (!result.ok) {
			if (result.reason === 'no-login') redirect(303, '/login?notice=expired');
			return fail(result.reason === 'cooldown' ? 429 : 400, {
				error: result.message,
				cooldownSeconds: result.cooldownSeconds
			});
		}
		return { notice: result.message, cooldownSeconds: result.cooldownSeconds };
	}
};
