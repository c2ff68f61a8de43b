/**
 * No spelling of a path reaches a route it should not: every route and form action of src/routes (read from
 * the file system, so a new one is covered without editing this file) is requested under several spellings
 * (percent-encoded letters, an encoded slash, dot segments, doubled slashes, a trailing slash, `__data.json`)
 * over raw HTTP, so the path goes out exactly as written, as a stranger, as a signed-in end user and as the
 * support account. Never data, never a 5xx; support is refused (403) every action its role does not allow,
 * and the console hides those actions from it.
 */
import { expect, test, type Page } from '@playwright/test';
import { request as httpRequest } from 'node:http';
import { ACTION_PERMISSIONS, can } from '../../src/lib/roles.js';
import { listRoutes, type RouteInfo } from '../../src/lib/server/testing/routes.js';
import { startSmtpPeer, type SmtpPeer } from '../../src/lib/server/testing/smtp-peers.js';
import { ADMIN, SUPPORT } from './support/accounts.js';
import { signInOverHttp } from './support/http.js';
import { signIn } from './support/pages.js';

test.describe.configure({ mode: 'serial' });

// Mock-mode pages are not part of a production build (production-build.e2e.ts checks they answer 404).
const routes = listRoutes().filter((r) => r.id !== '/dev' && !r.id.startsWith('/dev/'));
const isConsole = (r: RouteInfo) => r.id === '/admin' || r.id.startsWith('/admin/');
const PUBLIC_CONSOLE = new Set(['/admin/login', '/admin/forgot', '/admin/reset']);
const guarded = routes.filter((r) => isConsole(r) && !PUBLIC_CONSOLE.has(r.id));
/** End-user pages that need the user's own session. */
const USER_ONLY = routes.filter((r) => r.id === '/portal' || r.id.startsWith('/portal/'));

interface RawReply {
	status: number;
	location?: string;
	cacheControl?: string;
	body: string;
}

/** One HTTP request with the path exactly as given (fetch would normalise dot segments and slashes). */
function raw(
	base: string,
	path: string,
	options: { method?: string; cookie?: string; json?: boolean; body?: string } = {}
): Promise<RawReply> {
	const { hostname, port, origin } = new URL(base);
	const method = options.method ?? 'GET';
	const headers: Record<string, string> = {
		accept: options.json ? 'application/json' : 'text/html,*/*;q=0.8',
		host: `${hostname}:${port}`
	};
	if (options.cookie) headers.cookie = options.cookie;
	if (method !== 'GET' && method !== 'HEAD') {
		headers.origin = origin;
		headers['content-type'] = 'application/x-www-form-urlencoded';
		if (options.json) headers['x-sveltekit-action'] = 'true';
	}
	return new Promise((resolve, reject) => {
		const req = httpRequest({ hostname, port, path, method, headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () =>
				resolve({
					status: res.statusCode ?? 0,
					location: res.headers.location,
					cacheControl: res.headers['cache-control'],
					body: Buffer.concat(chunks).toString('utf8')
				})
			);
		});
		req.on('error', reject);
		req.end(method === 'GET' || method === 'HEAD' ? undefined : (options.body ?? 'x=1'));
	});
}

const hex = (c: string, upper = false) => {
	const h = c.charCodeAt(0).toString(16);
	return `%${upper ? h.toUpperCase() : h}`;
};

/** Ways to write the same path that a router decoding and normalising it would still send to the route. */
function spellings(path: string): string[] {
	const [, first, ...rest] = path.split('/');
	const tail = rest.length ? `/${rest.join('/')}` : '';
	const out = new Set<string>([path, `${path}/`, `/${path}`, `${path.replace(/\//g, '//')}`]);
	if (first) {
		out.add(`/${hex(first[0])}${first.slice(1)}${tail}`);
		out.add(`/${first.slice(0, -1)}${hex(first.at(-1)!, true)}${tail}`);
		out.add(`/${[...first].map((c) => hex(c)).join('')}${tail}`);
		out.add(`/./${first}${tail}`);
		out.add(`/elsewhere/../${first}${tail}`);
		out.add(`/elsewhere/%2e%2e/${first}${tail}`);
		if (rest.length) {
			out.add(`/${first}%2f${rest.join('/')}`);
			out.add(`/${first}%2F${rest.join('%2F')}`);
			out.add(`/${first}/./${rest.join('/')}`);
			out.add(`/${first}/x/../${rest.join('/')}`);
			out.add(
				`/${first}/${hex(rest[0][0])}${rest[0].slice(1)}${rest.length > 1 ? `/${rest.slice(1).join('/')}` : ''}`
			);
		}
	}
	return [...out];
}

/** The same, for a page's data (`__data.json`, what client-side navigation fetches). */
function dataSpellings(path: string): string[] {
	const data = path === '/' ? '/__data.json' : `${path}/__data.json`;
	return spellings(path)
		.filter((s) => !s.endsWith('/'))
		.map((s) => `${s}/__data.json`)
		.concat(data);
}

function actionQuery(action: string) {
	return action === 'default' ? '' : `?/${action}`;
}

const isData = (status: number) => status >= 200 && status < 300;

/**
 * Whether a reply carries data. SvelteKit answers a `__data.json` request that is redirected with a 200 whose
 * body is only the redirect; anything else in the 2xx range is data.
 */
function carriesData(reply: RawReply): boolean {
	if (!isData(reply.status)) return false;
	try {
		const body = JSON.parse(reply.body);
		return !(
			body.type === 'redirect' &&
			Object.keys(body).every((k) => ['type', 'status', 'location'].includes(k))
		);
	} catch {
		return true;
	}
}

/** No console route, page or data or action, answers anything but a redirect or a refusal. */
async function expectNoConsoleAccess(base: string, cookie: string | undefined, who: string) {
	let checked = 0;
	for (const route of guarded) {
		for (const path of [...spellings(route.path), ...dataSpellings(route.path)]) {
			const reply = await raw(base, path, { cookie });
			expect(
				carriesData(reply),
				`${who} GET ${path}: ${reply.status} ${reply.body.slice(0, 80)}`
			).toBe(false);
			expect(reply.status, `${who} GET ${path}`).toBeLessThan(500);
			checked++;
		}
		for (const action of route.actions)
			for (const path of spellings(route.path))
				for (const json of [false, true]) {
					const reply = await raw(base, `${path}${actionQuery(action)}`, {
						method: 'POST',
						cookie,
						json
					});
					expect(reply.status, `${who} POST ${path}${actionQuery(action)}`).toBeLessThan(500);
					if (json) {
						// use:enhance gets SvelteKit's action result: only a redirect to sign in
						if (reply.status === 200)
							expect(JSON.parse(reply.body), `${who} POST ${path}`).toMatchObject({
								type: 'redirect',
								location: '/admin/login'
							});
					} else
						expect(isData(reply.status), `${who} POST ${path}${actionQuery(action)}`).toBe(false);
					checked++;
				}
		for (const method of ['PUT', 'PATCH', 'DELETE']) {
			const reply = await raw(base, spellings(route.path)[1], { method, cookie });
			expect(isData(reply.status), `${who} ${method} ${route.path}`).toBe(false);
			expect(reply.status).toBeLessThan(500);
		}
	}
	expect(checked).toBeGreaterThan(500);
}

let sink: SmtpPeer;
test.beforeAll(async () => {
	sink = await startSmtpPeer({ security: 'plain', auth: 'none' });
});
test.afterAll(async () => {
	await sink?.close();
});

test('the route list is read from src/routes', () => {
	const ids = routes.map((r) => r.id);
	for (const known of [
		'/admin',
		'/admin/site',
		'/admin/smtp-servers/[id]',
		'/portal',
		'/login/otp'
	])
		expect(ids).toContain(known);
	expect(routes.find((r) => r.id === '/admin/site')?.actions).toEqual(
		expect.arrayContaining(['accounts', 'smtpTest', 'codes'])
	);
});

test('a stranger reaches no console route under any spelling', async ({ baseURL }) => {
	test.setTimeout(180_000);
	await expectNoConsoleAccess(baseURL!, undefined, 'stranger');
	// and no end-user page without the user's session
	for (const route of USER_ONLY)
		for (const path of [...spellings(route.path), ...dataSpellings(route.path)]) {
			const reply = await raw(baseURL!, path);
			expect(carriesData(reply), `GET ${path}: ${reply.status}`).toBe(false);
			expect(reply.status).toBeLessThan(500);
		}
});

test('no route answers a 5xx to a stranger, whatever the spelling', async ({ baseURL }) => {
	test.setTimeout(180_000);
	for (const route of routes) {
		for (const path of [
			...spellings(route.path),
			...(route.page ? dataSpellings(route.path) : [])
		]) {
			const reply = await raw(baseURL!, path);
			expect(reply.status, `GET ${path}`).toBeLessThan(500);
		}
		for (const action of route.actions) {
			const reply = await raw(baseURL!, `${spellings(route.path)[1]}${actionQuery(action)}`, {
				method: 'POST'
			});
			expect(reply.status, `POST ${route.path}${actionQuery(action)}`).toBeLessThan(500);
		}
	}
});

/** An end user signed in through e-mail OTP on a local domain (set up here through the console). */
async function signInEndUser(page: Page, baseURL: string): Promise<string> {
	const run = Date.now().toString(36).slice(-6);
	const field = (label: string) => page.getByLabel(label, { exact: true });
	const server = `Access sink ${run}`;
	const generator = `Access codes ${run}`;
	const domain = `Access domain ${run}`;
	const person = { username: `ada.${run}`, email: `ada.${run}@postern.test` };
	const password = 'Lantern-Orchid-Basalt-58';
	await signIn(page, ADMIN);
	await page.goto('/admin/smtp-servers/new');
	await field('Display name').fill(server);
	await field('Server').fill(sink.host);
	await field('Connection type').selectOption({ label: 'Unsecured' });
	await field('Port').fill(String(sink.port));
	await field('Sender address').fill('noreply@postern.test');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/smtp-servers(\?|$)/);
	await page.goto('/admin/otp-generators/new');
	await field('Display name').fill(generator);
	await field('SMTP server').selectOption({ label: server });
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/otp-generators\?saved=/);
	await page.goto('/admin/domains/new');
	await field('Name').fill(domain);
	await field('Authentication tokens').selectOption({ label: generator });
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/domains\?saved=/);
	const href = await page
		.getByRole('row')
		.filter({ hasText: domain })
		.getByRole('link', { name: domain, exact: true })
		.getAttribute('href');
	const domainId = href!.split('/').pop()!;
	await page.goto(`/admin/users/new?domain=${domainId}`);
	await field('Username').fill(person.username);
	await field('Email').fill(person.email);
	await field('Password').fill(password);
	await page.getByRole('button', { name: 'Add user' }).click();
	await expect(page.getByRole('status')).toHaveText(`User ${person.username} saved.`);

	const userSide = await (await page.context().browser()!.newContext({ baseURL })).newPage();
	await userSide.goto('/login');
	const choice = userSide.getByLabel('Domain', { exact: true });
	if (await choice.count()) await choice.selectOption(domainId);
	await userSide.getByLabel('Username', { exact: true }).fill(person.username);
	await userSide.getByLabel('Password', { exact: true }).fill(password);
	await userSide.getByRole('button', { name: 'Sign in' }).click();
	await expect(userSide).toHaveURL(/\/login\/otp$/);
	const mails = () => sink.messages.filter((m) => m.envelopeTo.includes(person.email));
	await expect.poll(() => mails().length, { timeout: 20_000 }).toBeGreaterThan(0);
	const code = /\b(\d{6,8})\b/.exec(mails()[0].text)![1];
	await userSide.getByLabel('Code', { exact: true }).fill(code);
	await userSide.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(userSide).toHaveURL(/\/portal$/);
	const cookies = await userSide.context().cookies();
	await userSide.context().close();
	return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

test('a signed-in end user reaches no console route under any spelling', async ({
	page,
	baseURL
}) => {
	test.setTimeout(240_000);
	const cookie = await signInEndUser(page, baseURL!);
	// the session is real: the portal opens with it
	expect((await raw(baseURL!, '/portal', { cookie })).status).toBe(200);
	await expectNoConsoleAccess(baseURL!, cookie, 'end user');
});

test('support is refused every action its role does not allow, under any spelling', async ({
	baseURL
}) => {
	test.setTimeout(180_000);
	const { token } = await signInOverHttp(baseURL!, SUPPORT);
	const cookie = `postern_admin=${token}`;
	let refused = 0;
	let allowed = 0;
	for (const route of guarded)
		for (const action of route.actions) {
			const permission = ACTION_PERMISSIONS[route.id]?.[action];
			expect(permission, `${route.id} ${action} is classified in src/lib/roles.ts`).toBeDefined();
			if (can('support', permission)) {
				allowed++;
				continue;
			}
			for (const path of spellings(route.path))
				for (const json of [false, true]) {
					const reply = await raw(baseURL!, `${path}${actionQuery(action)}`, {
						method: 'POST',
						cookie,
						json
					});
					const where = `support POST ${path}${actionQuery(action)}`;
					expect(reply.status, where).toBeLessThan(500);
					// refused, or (for a spelling the router reads as another path) not found: never done
					expect([403, 404, 405, 308], where).toContain(reply.status);
					refused++;
				}
		}
	expect(refused).toBeGreaterThan(100);
	expect(allowed).toBeGreaterThan(5);
	// the plain spelling is a 403 with a sentence, not a redirect or a not-found
	const direct = await raw(baseURL!, '/admin/site?/accounts', { method: 'POST', cookie });
	expect(direct.status).toBe(403);
	expect(direct.body).toContain('may not do this');
	const enhanced = await raw(baseURL!, '/admin/site?/accounts', {
		method: 'POST',
		cookie,
		json: true
	});
	expect(enhanced.status).toBe(403);
	expect(JSON.parse(enhanced.body)).toMatchObject({ type: 'error' });
	// reading stays open to support
	expect((await raw(baseURL!, '/admin/audit', { cookie })).status).toBe(200);
	expect((await raw(baseURL!, '/admin/audit/__data.json', { cookie })).status).toBe(200);
});

test('support cannot take over the admin account, and its own account still works', async ({
	baseURL
}) => {
	const { token } = await signInOverHttp(baseURL!, SUPPORT);
	const cookie = `postern_admin=${token}`;
	const takeover = new URLSearchParams({
		adminUsername: 'taken-over',
		adminPassword: 'Brand-New-Takeover-77',
		adminConfirm: 'Brand-New-Takeover-77',
		supportUsername: SUPPORT.username,
		currentPassword: SUPPORT.password
	}).toString();
	const reply = await raw(baseURL!, '/admin/site?/accounts', {
		method: 'POST',
		cookie,
		body: takeover
	});
	expect(reply.status).toBe(403);
	// the admin still signs in with the old name and password
	await signInOverHttp(baseURL!, ADMIN);
});

test('the console hides from support what its role cannot do', async ({ page }) => {
	await signIn(page, SUPPORT);
	await page.goto('/admin/site');
	await expect(page.getByRole('heading', { name: 'Site settings', level: 1 })).toBeVisible();
	await expect(page.getByTestId('read-only-notice')).toBeVisible();
	await expect(page.getByRole('link', { name: /^Edit / })).toHaveCount(0);
	await expect(page.getByRole('button', { name: /Switch SMTP configuration/ })).toHaveCount(0);
	await expect(page.getByRole('link', { name: /Switch SMTP configuration/ })).toHaveCount(0);
	// its own recovery codes stay its own to renew
	await expect(page.getByRole('button', { name: 'Generate recovery codes' })).toBeVisible();
	// even asked for by URL, an edit form does not open
	await page.goto('/admin/site?edit=accounts#accounts');
	await expect(page.getByLabel('UI Admin Username', { exact: true })).toHaveCount(0);
	for (const list of ['smtp-servers', 'otp-generators', 'domains', 'applications']) {
		await page.goto(`/admin/${list}`);
		await expect(page.getByRole('button', { name: /^Delete/ }), list).toHaveCount(0);
		await expect(page.getByRole('link', { name: /^Add / }), list).toHaveCount(0);
	}
	await page.goto('/admin/smtp-servers/new');
	await expect(page.getByTestId('read-only-notice')).toBeVisible();
	await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'Check connection' })).toBeVisible();
	await page.goto('/admin/account');
	await expect(page.getByRole('button', { name: 'Change password' })).toBeVisible();
});

test('the admin still sees every control', async ({ page }) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/smtp-servers');
	await expect(page.getByRole('link', { name: 'Add SMTP server' }).first()).toBeVisible();
	await page.goto('/admin/site');
	await expect(page.getByTestId('read-only-notice')).toHaveCount(0);
	await expect(page.getByRole('link', { name: /^Edit / }).first()).toBeVisible();
	await page.goto('/admin/smtp-servers/new');
	await expect(page.getByRole('button', { name: 'Save' })).toBeVisible();
});

test('console, portal and sign-in pages are never cached, signed in or not', async ({
	baseURL
}) => {
	const { token } = await signInOverHttp(baseURL!, ADMIN);
	const admin = `postern_admin=${token}`;
	const pages: [string, string | undefined][] = [
		['/admin', admin],
		['/admin/audit', admin],
		['/admin/audit/__data.json', admin],
		['/admin/login', undefined],
		['/admin/forgot', undefined],
		['/login', undefined],
		['/login/otp', undefined],
		['/login/totp', undefined],
		['/portal', undefined]
	];
	for (const [path, cookie] of pages) {
		const reply = await raw(baseURL!, path, { cookie });
		expect(reply.cacheControl, path).toContain('no-store');
	}
	// a public health check may be cached by nothing in particular: no claim either way
	expect((await raw(baseURL!, '/healthz')).status).toBe(200);
});
