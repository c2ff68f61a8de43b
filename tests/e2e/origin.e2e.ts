/**
 * Where requests come from. SvelteKit's origin check refuses cross-site form posts (whatever the
 * Content-Type's letter case); server.js decides the origin: the socket (plain http) by default, the
 * proxy's X-Forwarded-* headers with POSTERN_TRUST_PROXY=true, or POSTERN_PUBLIC_URL.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, mainCodes } from './support/accounts.js';
import {
	send,
	sessionCookieOf,
	setUpOverHttp,
	signInOverHttp,
	type ParsedCookie
} from './support/http.js';
import { startPostern, type Postern } from './support/postern.js';

const FORM_TYPES = [
	'application/x-www-form-urlencoded',
	'multipart/form-data; boundary=----postern',
	'text/plain',
	'TEXT/PLAIN',
	'Text/Plain; charset=UTF-8'
];

function expectSecureHostCookie(cookie: ParsedCookie | undefined) {
	expect(cookie?.name).toBe('__Host-postern_admin');
	expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
	expect(cookie?.attributes).toHaveProperty('secure', '');
	expect(cookie?.attributes).toHaveProperty('httponly', '');
	expect(cookie?.attributes.samesite).toBe('Lax');
	expect(cookie?.attributes.path).toBe('/');
	expect(cookie?.attributes).not.toHaveProperty('domain');
}

test.describe('cross-origin form posts (main server, plain http)', () => {
	test('are refused with 403 for every form, content type and missing origin', async ({
		baseURL
	}) => {
		const { token } = await signInOverHttp(baseURL!);
		const cookie = `postern_admin=${token}`;
		const targets = [
			'/setup',
			'/admin/login',
			'/admin/forgot',
			'/admin/logout',
			'/admin/account?/password',
			'/admin/account?/codes'
		];
		const code = mainCodes()[0];
		const body = `username=${ADMIN.username}&password=x&recoveryCode=${code}&newPassword=Evil-Takeover-Passw0rd&confirm=Evil-Takeover-Passw0rd&currentPassword=${ADMIN.password}`;
		for (const target of targets)
			for (const contentType of FORM_TYPES)
				for (const origin of ['https://evil.example', 'null', `${baseURL}.evil.example`, null]) {
					const reply = await send(`${baseURL}${target}`, {
						method: 'POST',
						body,
						contentType,
						origin,
						cookie
					});
					const what = `${target} ${contentType} from ${origin}`;
					expect(reply.status, what).toBe(403);
					expect(reply.body, what).toContain('Cross-site');
					expect(reply.setCookies, what).toEqual([]);
				}
		// nothing happened: still signed in, same password, the code unspent
		const account = await send(`${baseURL}/admin/account`, { cookie });
		expect(account.status).toBe(200);
		expect(account.body).toMatch(/data-testid="unused-codes"[^>]*>10</);
		await signInOverHttp(baseURL!);
	});

	test('a page on another site cannot submit the console’s forms', async ({ page, baseURL }) => {
		await page.goto('/admin/login');
		await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
		await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByTestId('signed-in-user')).toHaveText(ADMIN.username);

		for (const enctype of [
			'application/x-www-form-urlencoded',
			'text/plain',
			'multipart/form-data'
		]) {
			await page.route('http://evil.example/**', (route) =>
				route.fulfill({
					contentType: 'text/html',
					body: `<form method="POST" action="${baseURL}/admin/logout" enctype="${enctype}">
						<input name="x" value="1"></form><script>document.forms[0].submit()</script>`
				})
			);
			const answered = page.waitForResponse(`${baseURL}/admin/logout`);
			await page.goto('http://evil.example/attack');
			expect((await answered).status(), enctype).toBe(403);
			await page.unroute('http://evil.example/**');
		}
		await page.goto('/admin');
		await expect(page.getByTestId('signed-in-user')).toHaveText(ADMIN.username);
	});

	test('X-Forwarded-* and x-postern-* from a client are ignored without POSTERN_TRUST_PROXY', async ({
		baseURL
	}) => {
		const host = new URL(baseURL!).host;
		const spoofed = {
			'x-forwarded-proto': 'https',
			'x-forwarded-host': 'evil.example',
			'x-postern-proto': 'https',
			'x-postern-host': 'evil.example'
		};
		const form = { username: ADMIN.username, password: ADMIN.password };
		const ok = await send(`${baseURL}/admin/login`, { form, headers: spoofed });
		expect(ok.status).toBe(303);
		const cookie = sessionCookieOf(ok);
		expect(cookie?.name).toBe('postern_admin');
		expect(cookie?.attributes).not.toHaveProperty('secure');
		for (const origin of [`https://${host}`, 'https://evil.example', 'http://evil.example'])
			expect(
				(await send(`${baseURL}/admin/login`, { form, headers: spoofed, origin })).status,
				origin
			).toBe(403);
	});
});

test.describe('behind a proxy (POSTERN_TRUST_PROXY=true)', () => {
	let server: Postern;
	test.beforeAll(async () => {
		server = await startPostern('proxy', { env: { POSTERN_TRUST_PROXY: 'true' } });
	});
	test.afterAll(async () => {
		await server?.stop();
	});

	test('https from the proxy: __Host- cookie with Secure, HSTS, https origin accepted', async () => {
		const host = `127.0.0.1:${server.port}`;
		const https = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.23' };

		// the form post from the public https origin works, and the cookie is Secure with the __Host- prefix
		const { reply } = await setUpOverHttp(server, {
			headers: https,
			origin: `https://${host}`
		});
		expectSecureHostCookie(sessionCookieOf(reply));
		expect(reply.headers.get('strict-transport-security')).toBe('max-age=31536000');

		const signIn = await signInOverHttp(server.url, ADMIN, {
			headers: https,
			origin: `https://${host}`
		});
		expectSecureHostCookie(signIn.cookie);
		const cookie = `__Host-postern_admin=${signIn.token}`;
		const audit = await send(`${server.url}/admin/audit`, { cookie, headers: https });
		expect(audit.status).toBe(200);
		// the client address the proxy reported is what the audit log records
		expect(audit.body).toContain('198.51.100.23');

		// the http origin is not this site's origin any more
		const refused = await send(`${server.url}/admin/login`, {
			form: { username: ADMIN.username, password: ADMIN.password },
			headers: https,
			origin: `http://${host}`
		});
		expect(refused.status).toBe(403);

		// X-Forwarded-Host names the public host
		const named = await signInOverHttp(server.url, ADMIN, {
			headers: { ...https, 'x-forwarded-host': 'postern.proxy.example' },
			origin: 'https://postern.proxy.example'
		});
		expectSecureHostCookie(named.cookie);
	});

	test('plain http through the same server keeps the plain cookie', async () => {
		const plain = await signInOverHttp(server.url, ADMIN, {
			headers: { 'x-forwarded-proto': 'http' }
		});
		expect(plain.cookie.name).toBe('postern_admin');
		expect(plain.cookie.attributes).not.toHaveProperty('secure');
	});
});

test.describe('with POSTERN_PUBLIC_URL=https://postern.example.test', () => {
	let server: Postern;
	test.beforeAll(async () => {
		server = await startPostern('public-url', {
			env: { POSTERN_PUBLIC_URL: 'https://postern.example.test' }
		});
	});
	test.afterAll(async () => {
		await server?.stop();
	});

	test('posts from the public origin work and set the __Host- cookie; others are refused', async () => {
		const origin = 'https://postern.example.test';
		const refused = await send(`${server.url}/setup`, {
			form: { adminUsername: 'x' },
			origin: `http://127.0.0.1:${server.port}`
		});
		expect(refused.status).toBe(403);

		const { reply, codes } = await setUpOverHttp(server, { origin });
		expect(codes).toHaveLength(10);
		expectSecureHostCookie(sessionCookieOf(reply));

		const signIn = await signInOverHttp(server.url, ADMIN, { origin });
		expectSecureHostCookie(signIn.cookie);
		expect(signIn.reply.location).toBe('/admin');
		const console = await send(`${server.url}/admin`, {
			cookie: `__Host-postern_admin=${signIn.token}`
		});
		expect(console.status).toBe(200);
		expect(console.body).toContain(ADMIN.username);

		// the proxy headers do not override the configured public URL
		const spoofed = await send(`${server.url}/admin/login`, {
			form: { username: ADMIN.username, password: ADMIN.password },
			headers: { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example' },
			origin: 'http://evil.example'
		});
		expect(spoofed.status).toBe(403);
	});
});
