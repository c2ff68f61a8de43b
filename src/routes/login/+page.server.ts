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
import { userSignInSchema } from '#lib/schemas/user-sign-in.js';
import { hasControlCharacter } from '#lib/schemas/fields.js';
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
		const posted = userSignInSchema.safeParse({
			domain: String(data.get('domain') ?? ''),
			username: String(data.get('username') ?? ''),
			password: String(data.get('password') ?? '')
		});
		if (!posted.success) {
			const [issue] = posted.error.issues;
			// the form shows back what was typed, except anything the check refused
			const domain = String(data.get('domain') ?? '');
			const username = String(data.get('username') ?? '').slice(0, 256);
			const values = {
				domain: hasControlCharacter(domain) ? '' : domain,
				username: hasControlCharacter(username) ? '' : username
			};
			return fail(400, { error: issue.message, field: String(issue.path[0]), values });
		}
		const { domain, username, password } = posted.data;
		const values = { domain, username };

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
