/**
 * Every request passes these handles in order: log it, add security headers, find the session, send everyone
 * to /setup until the accounts exist, and keep /admin behind a session (pages, actions and endpoints alike:
 * a layout load alone would not protect form actions).
 */
import {
	sequence,
	type Handle,
	type HandleServerError,
	type ServerInit
} from '@sveltejs/kit/hooks';
import { randomUUID } from 'node:crypto';
import { log } from '#lib/server/log.js';
import { startServer, stopServer } from '#lib/server/startup.js';
import { isSetupDone } from '#lib/server/auth/admins.js';
import {
	sessionCookieName,
	validateSessionToken,
	deleteSessionCookie
} from '#lib/server/auth/session.js';
import { isPublicAdminPath, isSetupExemptPath } from '#lib/server/auth/guard.js';
import { formBody } from '#lib/server/http/form-body.js';

export const init: ServerInit = async () => {
	try {
		await startServer();
	} catch (error) {
		// A clear sentence, not a stack: a bad key or an unreachable database is an operator's problem to fix.
		log.fatal({ event: 'startup_failed' }, error instanceof Error ? error.message : String(error));
		console.error(`\nPostern could not start: ${error instanceof Error ? error.message : error}\n`);
		process.exit(1);
	}
	process.once('sveltekit:shutdown', () => {
		void stopServer();
	});
};

const logRequest: Handle = async ({ event, resolve }) => {
	const started = performance.now();
	event.locals.requestId = randomUUID();
	const response = await resolve(event);
	log.info({
		event: 'request',
		id: event.locals.requestId,
		method: event.request.method,
		// the path only: query strings may carry tokens
		path: event.url.pathname,
		status: response.status,
		ms: Math.round(performance.now() - started),
		ip: event.getClientAddress(),
		admin: event.locals.admin?.username
	});
	return response;
};

const securityHeaders: Handle = async ({ event, resolve }) => {
	event.locals.secure = event.url.protocol === 'https:';
	const response = await resolve(event);
	const headers = response.headers;
	headers.set('X-Content-Type-Options', 'nosniff');
	headers.set('Referrer-Policy', 'same-origin');
	headers.set('X-Frame-Options', 'DENY');
	headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
	if (event.locals.secure) headers.set('Strict-Transport-Security', 'max-age=31536000');
	if (!headers.has('Cache-Control') && event.locals.admin) headers.set('Cache-Control', 'no-store');
	return response;
};

const session: Handle = async ({ event, resolve }) => {
	const name = sessionCookieName(event.locals.secure);
	const token = event.cookies.get(name) ?? null;
	event.locals.sessionToken = token;
	event.locals.admin = token ? await validateSessionToken(token) : null;
	if (token && !event.locals.admin) deleteSessionCookie(event.cookies, event.locals.secure);
	return resolve(event);
};

const setupGate: Handle = async ({ event, resolve }) => {
	const path = event.url.pathname;
	if (!isSetupExemptPath(path) && !(await isSetupDone())) return seeOther('/setup', event.request);
	return resolve(event);
};

const adminGuard: Handle = async ({ event, resolve }) => {
	const path = event.url.pathname;
	if (
		(path === '/admin' || path.startsWith('/admin/')) &&
		!isPublicAdminPath(path) &&
		!event.locals.admin
	) {
		const next = event.request.method === 'GET' ? `?next=${encodeURIComponent(path)}` : '';
		return seeOther(`/admin/login${next}`, event.request);
	}
	return resolve(event);
};

/**
 * A 303, returned rather than thrown so the request log above still sees it. Form actions posted by
 * use:enhance expect SvelteKit's JSON action result, so they get the redirect in that shape.
 */
function seeOther(location: string, request: Request) {
	const wantsJson =
		request.method === 'POST' && (request.headers.get('accept') ?? '').includes('application/json');
	if (wantsJson) return Response.json({ type: 'redirect', status: 303, location });
	return new Response(null, { status: 303, headers: { location } });
}

export const handle = sequence(
	logRequest,
	securityHeaders,
	formBody,
	session,
	setupGate,
	adminGuard
);

export const handleError: HandleServerError = ({ kind, error, event }) => {
	if (kind !== 'unknown') return;
	log.error(
		{ event: 'unhandled_error', id: event.locals.requestId, path: event.url.pathname, err: error },
		'unhandled error'
	);
	return {
		message: 'Something went wrong on our side. The error was logged.',
		requestId: event.locals.requestId
	};
};
