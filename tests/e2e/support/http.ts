/**
 * Raw HTTP for the specs that must control every header (Origin, Cookie, X-Forwarded-*): Node's fetch, with
 * no cookie jar and no redirects followed, so each request carries exactly what the test gives it.
 */
import { ADMIN, SUPPORT, setupCodeOf, type Account } from './accounts.js';

export interface Reply {
	status: number;
	location: string | null;
	headers: Headers;
	body: string;
	/** Raw Set-Cookie lines. */
	setCookies: string[];
}

export interface SendOptions {
	method?: string;
	/** Sent as application/x-www-form-urlencoded unless `contentType` says otherwise. */
	form?: Record<string, string>;
	body?: string | FormData;
	contentType?: string;
	/** Origin header; defaults to the base URL's origin for non-GET requests. `null` sends none. */
	origin?: string | null;
	cookie?: string;
	headers?: Record<string, string>;
}

export async function send(url: string, options: SendOptions = {}): Promise<Reply> {
	const method = options.method ?? (options.form || options.body ? 'POST' : 'GET');
	// What a browser navigating sends; SvelteKit answers */* with its JSON action result instead of the page.
	const headers: Record<string, string> = {
		accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
		...options.headers
	};
	const origin =
		options.origin === undefined && method !== 'GET' ? new URL(url).origin : options.origin;
	if (origin) headers.origin = origin;
	if (options.cookie) headers.cookie = options.cookie;
	let body: string | FormData | undefined = options.body;
	if (options.form) body = new URLSearchParams(options.form).toString();
	if (options.contentType) headers['content-type'] = options.contentType;
	else if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
	const response = await fetch(url, { method, headers, body, redirect: 'manual' });
	return {
		status: response.status,
		location: response.headers.get('location'),
		headers: response.headers,
		body: await response.text(),
		setCookies: response.headers.getSetCookie()
	};
}

export interface ParsedCookie {
	name: string;
	value: string;
	/** Attribute names in lower case, mapped to their value ('' for flags such as HttpOnly). */
	attributes: Record<string, string>;
}

export function parseSetCookie(line: string): ParsedCookie {
	const [pair, ...rest] = line.split(';').map((p) => p.trim());
	const at = pair.indexOf('=');
	const attributes: Record<string, string> = {};
	for (const part of rest) {
		const eq = part.indexOf('=');
		if (eq === -1) attributes[part.toLowerCase()] = '';
		else attributes[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
	}
	return { name: pair.slice(0, at), value: pair.slice(at + 1), attributes };
}

/** The session cookie a reply sets (either name), if any. */
export function sessionCookieOf(reply: Reply): ParsedCookie | undefined {
	return reply.setCookies
		.map(parseSetCookie)
		.find((c) => c.name === 'postern_admin' || c.name === '__Host-postern_admin');
}

/** The recovery codes listed in a page. */
export function codesIn(html: string): string[] {
	const list = html.match(/<ol[^>]*data-testid="recovery-codes"[^>]*>([\s\S]*?)<\/ol>/);
	return list ? [...list[1].matchAll(/[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}/g)].map((m) => m[0]) : [];
}

export function setupForm(setupCode = '', admin: Account = ADMIN, support: Account = SUPPORT) {
	return {
		setupCode,
		adminUsername: admin.username,
		adminPassword: admin.password,
		adminConfirm: admin.password,
		supportUsername: support.username,
		supportPassword: support.password,
		supportConfirm: support.password
	};
}

/**
 * Runs first-run setup as a browser without JavaScript would, with the setup code the server keeps in its
 * data folder; returns the reply and the recovery codes shown.
 */
export async function setUpOverHttp(
	server: { url: string; dataDir: string },
	options: Omit<SendOptions, 'form'> = {}
) {
	const reply = await send(`${server.url}/setup`, {
		...options,
		form: setupForm(setupCodeOf(server.dataDir))
	});
	if (reply.status !== 200)
		throw new Error(`setup answered ${reply.status}: ${reply.body.slice(0, 500)}`);
	return { reply, codes: codesIn(reply.body) };
}

/** Signs in as a browser without JavaScript would; returns the session token (or throws). */
export async function signInOverHttp(
	base: string,
	account: Account = ADMIN,
	options: Omit<SendOptions, 'form'> = {}
) {
	const reply = await send(`${base}/admin/login`, {
		...options,
		form: { username: account.username, password: account.password }
	});
	const cookie = sessionCookieOf(reply);
	if (reply.status !== 303 || !cookie?.value)
		throw new Error(`sign-in answered ${reply.status}: ${reply.body.slice(0, 500)}`);
	return { reply, token: cookie.value, cookie };
}
