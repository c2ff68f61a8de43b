/** The end-user side's cookies and session lookup, for the /login and /portal routes. */
import { redirect, type Cookies, type RequestEvent } from '@sveltejs/kit';
import {
	pendingLoginCookieName,
	userSessionCookieName,
	validateUserSession
} from './login/index.js';

export const DOMAIN_COOKIE = 'postern_domain';

export function pendingToken(event: Pick<RequestEvent, 'cookies' | 'locals'>) {
	return event.cookies.get(pendingLoginCookieName(event.locals.secure)) ?? null;
}

export function sessionToken(event: Pick<RequestEvent, 'cookies' | 'locals'>) {
	return event.cookies.get(userSessionCookieName(event.locals.secure)) ?? null;
}

/** The signed-in end user, or a redirect to /login. */
export async function requireUser(event: Pick<RequestEvent, 'cookies' | 'locals'>) {
	const user = await validateUserSession(sessionToken(event));
	if (!user) redirect(303, '/login');
	return user;
}

export function rememberDomain(cookies: Cookies, domainId: string, secure: boolean) {
	cookies.set(DOMAIN_COOKIE, domainId, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		maxAge: 365 * 86_400
	});
}

export function forgetPendingLogin(cookies: Cookies, secure: boolean) {
	cookies.delete(pendingLoginCookieName(secure), {
		path: '/',
		secure,
		httpOnly: true,
		sameSite: 'lax'
	});
}
