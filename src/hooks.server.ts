/**
 * Every request passes these handles in order: log it, add security headers, find the session, send everyone
 * to /setup until the accounts exist, and keep the console behind a session and its role (pages, their data,
 * actions and endpoints alike: a layout load alone would not protect form actions). Access is decided from
 * the route SvelteKit matched (`event.route.id`), so no spelling of a path can reach a console route unchecked.
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
import { decideConsoleAccess, needsSetupFirst } from '#lib/server/auth/access.js';
import { ROLE_LABELS } from '#lib/roles.js';
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
	// Pages that show a signed-in person's data must not stay in a shared or back-button cache.
	if (event.locals.admin || isPrivateRoute(event.route.id))
		headers.set('Cache-Control', 'no-store');
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

/** The console, the portal and the end-user sign-in steps: never cached. */
function isPrivateRoute(routeId: string | null) {
	return (
		routeId !== null &&
		(routeId === '/admin' ||
			routeId.startsWith('/admin/') ||
			routeId === '/portal' ||
			routeId.startsWith('/portal/') ||
			routeId === '/login' ||
			routeId.startsWith('/login/'))
	);
}

const setupGate: Handle = async ({ event, resolve }) => {
	if (needsSetupFirst(event.route.id) && !(await isSetupDone()))
		return seeOther('/setup', event.request);
	return resolve(event);
};

const consoleGuard: Handle = async ({ event, resolve }) => {
	const access = decideConsoleAccess({
		routeId: event.route.id,
		method: event.request.method,
		url: event.url,
		role: event.locals.admin?.role ?? null
	});
	if (access.allowed) return resolve(event);
	if (access.reason === 'signed-out') {
		const path = event.url.pathname;
		const next = event.request.method === 'GET' ? `?next=${encodeURIComponent(path)}` : '';
		return seeOther(`/admin/login${next}`, event.request);
	}
	log.warn({
		event: 'forbidden',
		id: event.locals.requestId,
		route: event.route.id,
		method: event.request.method,
		admin: event.locals.admin?.username,
		permission: access.permission
	});
	return forbidden(
		`The ${ROLE_LABELS[event.locals.admin!.role]} account may not do this. Ask the UI Admin.`,
		event.request
	);
};

/** A 403 in the shape the request expects: use:enhance reads SvelteKit's JSON action result. */
function forbidden(message: string, request: Request) {
	const accept = request.headers.get('accept') ?? '';
	if (accept.includes('application/json'))
		return Response.json(
			request.method === 'POST' ? { type: 'error', error: { message } } : { message },
			{ status: 403 }
		);
	return new Response(forbiddenPage(message), {
		status: 403,
		headers: { 'content-type': 'text/html; charset=utf-8' }
	});
}

function forbiddenPage(message: string) {
	const text = message.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Not allowed · Postern</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem"><h1>Not allowed</h1><p>${text}</p><p><a href="/admin">Back to the console</a></p></body></html>`;
}

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
	consoleGuard
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
