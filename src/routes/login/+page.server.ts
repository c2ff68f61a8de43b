import { fail, redirect } from '@sveltejs/kit';
import { listSignInDomains } from '#lib/server/identity/domains.js';
import {
	LOGIN_NOTICES,
	noticeText,
	setPendingLoginCookie,
	setUserSessionCookie,
	startLogin,
	validateUserSession
} from '#lib/server/login/index.js';
import { sendUserMail } from '#lib/server/user-mail.js';
import { clientMeta } from '#lib/server/request.js';
import {
	DOMAIN_COOKIE,
	forgetPendingLogin,
	pendingToken,
	rememberDomain,
	sessionToken
} from '#lib/server/user-request.js';
import type { Actions, PageServerLoad } from './$types';

// Plain HTML forms, validated on the server: no client JavaScript on the end-user pages.
export const csr = false;

export const load: PageServerLoad = async (event) => {
	if (await validateUserSession(sessionToken(event))) redirect(303, '/portal');
	if (event.url.searchParams.has('restart')) forgetPendingLogin(event.cookies, event.locals.secure);
	const domains = (await listSignInDomains()).map((d) => ({
		id: d.id,
		name: d.name,
		test: d.isTest
	}));
	const remembered = event.cookies.get(DOMAIN_COOKIE);
	return {
		domains,
		selectedDomain: domains.some((d) => d.id === remembered)
			? remembered!
			: ((domains.find((d) => !d.test) ?? domains[0])?.id ?? ''),
		notice: noticeText(LOGIN_NOTICES, event.url.searchParams.get('notice'))
	};
};

const NEXT_PAGE = {
	portal: '/portal',
	'email-otp': '/login/otp',
	'totp-setup': '/login/totp/setup',
	totp: '/login/totp'
} as const;

export const actions: Actions = {
	default: async (event) => {
		const data = await event.request.formData();
		const domain = String(data.get('domain') ?? '');
		const username = String(data.get('username') ?? '');
		const password = String(data.get('password') ?? '');
		const values = { domain, username: username.slice(0, 256) };
		if (!username.trim() || username.length > 256 || /[\r\n]/.test(username))
			return fail(400, { error: 'Enter your username.', field: 'username', values });
		if (!password || password.length > 1024)
			return fail(400, { error: 'Enter your password.', field: 'password', values });

		const meta = clientMeta(event);
		const result = await startLogin({
			domainId: domain,
			username,
			password,
			send: sendUserMail,
			previousTokens: [pendingToken(event), sessionToken(event)],
			...meta
		});
		if (!result.ok)
			return fail(result.reason === 'throttled' ? 429 : 400, {
				error: result.message,
				field: null,
				values
			});
		rememberDomain(event.cookies, domain, event.locals.secure);
		if (result.next === 'portal') {
			setUserSessionCookie(event.cookies, result.token, event.locals.secure);
			redirect(303, '/portal');
		}
		setPendingLoginCookie(event.cookies, result.token, event.locals.secure);
		const notice =
			result.next === 'email-otp' && result.noticeKey ? `?notice=${result.noticeKey}` : '';
		redirect(303, NEXT_PAGE[result.next] + notice);
	}
};
