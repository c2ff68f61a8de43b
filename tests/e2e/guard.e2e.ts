/**
 * Every console route refuses without a session: the routes are read from src/routes/admin at test time,
 * so a page added later is covered without touching this file. Pages redirect to the login page (303, with
 * `next`), form actions and endpoints too, whether posted as a plain form or by use:enhance.
 */
import { expect, test } from '@playwright/test';
import { listRoutes } from '../../src/lib/server/testing/routes.js';
import { ADMIN } from './support/accounts.js';
import { send, signInOverHttp } from './support/http.js';

// /admin/reset is reached from the reset link in an e-mail, before any session exists
const PUBLIC = new Set(['/admin/login', '/admin/forgot', '/admin/reset']);

const routes = listRoutes().filter((r) => r.id === '/admin' || r.id.startsWith('/admin/'));
const guarded = routes.filter((r) => !PUBLIC.has(r.path));

test('the route list is read from src/routes/admin', () => {
	const paths = routes.map((r) => r.path);
	for (const known of [
		'/admin',
		'/admin/login',
		'/admin/forgot',
		'/admin/logout',
		'/admin/account',
		'/admin/audit'
	])
		expect(paths).toContain(known);
	expect(routes.find((r) => r.path === '/admin/account')?.actions).toEqual(
		expect.arrayContaining(['codes', 'password'])
	);
	expect(routes.find((r) => r.path === '/admin/logout')?.actions).toEqual(['default']);
});

test('without a session every console page redirects to the login page', async ({ baseURL }) => {
	for (const route of guarded) {
		const reply = await send(`${baseURL}${route.path}`);
		expect(reply.status, route.path).toBe(303);
		expect(reply.location, route.path).toBe(`/admin/login?next=${encodeURIComponent(route.path)}`);
		expect(reply.body, route.path).toBe('');
	}
	// a trailing slash or another letter case does not slip past
	for (const variant of ['/admin/', '/admin/audit/', '/admin/account?x=1', '/Admin/account'])
		expect((await send(`${baseURL}${variant}`)).status, variant).not.toBe(200);
});

test('without a session every form action and endpoint is refused', async ({ baseURL }) => {
	let checked = 0;
	for (const route of guarded) {
		for (const action of route.actions) {
			const url = `${baseURL}${route.path}${action === 'default' ? '' : `?/${action}`}`;
			const form = { currentPassword: 'x', newPassword: 'x', confirm: 'x' };
			const plain = await send(url, { form });
			expect(plain.status, url).toBe(303);
			expect(plain.location, url).toBe('/admin/login');
			// as use:enhance posts it
			const enhanced = await send(url, {
				form,
				headers: { accept: 'application/json', 'x-sveltekit-action': 'true' }
			});
			expect(enhanced.status, url).toBe(200);
			expect(JSON.parse(enhanced.body), url).toEqual({
				type: 'redirect',
				status: 303,
				location: '/admin/login'
			});
			checked++;
		}
		for (const method of route.methods.filter((m) => m !== 'GET')) {
			const reply = await send(`${baseURL}${route.path}`, {
				method,
				body: '{}',
				contentType: 'application/json'
			});
			expect(reply.status, `${method} ${route.path}`).toBe(303);
			checked++;
		}
	}
	expect(checked).toBeGreaterThanOrEqual(3);
});

test('a forged or unknown session cookie is refused and cleared', async ({ baseURL }) => {
	for (const cookie of [
		'postern_admin=forged',
		`postern_admin=${'A'.repeat(43)}`,
		'postern_admin='
	]) {
		const reply = await send(`${baseURL}/admin`, { cookie });
		expect(reply.status, cookie).toBe(303);
		expect(reply.location).toBe('/admin/login?next=%2Fadmin');
	}
	// the login page it is sent to clears it from the browser
	const login = await send(`${baseURL}/admin/login?next=%2Fadmin`, {
		cookie: 'postern_admin=forged'
	});
	expect(login.status).toBe(200);
	expect(login.setCookies).toEqual(['postern_admin=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
});

test('the sign-in and forgot-password pages stay open', async ({ baseURL }) => {
	for (const open of PUBLIC) expect((await send(`${baseURL}${open}`)).status, open).toBe(200);
});

test('in the browser, a console page sends a visitor to sign in and back after', async ({
	page
}) => {
	await page.goto('/admin/audit?page=1');
	await expect(page).toHaveURL(/\/admin\/login\?next=%2Fadmin%2Faudit$/);
	await expect(page.getByRole('heading', { name: 'Sign in to the console' })).toBeVisible();
});

test('a `next` a browser would read as another site sends to /admin, never a 500', async ({
	baseURL
}) => {
	// %09 (tab), %0A, %0D are dropped by URL parsers, a backslash is read as a slash: all would be //evil.example
	const unsafe = [
		'/%09/evil.example',
		'/%0A/evil.example',
		'/%0D%0A/evil.example',
		'/%00/evil.example',
		'/%5Cevil.example',
		'/admin/%5C..%5Cx',
		'//evil.example',
		'https://evil.example'
	];
	// signing in with it
	const { reply, token } = await signInOverHttp(baseURL!);
	expect(reply.location).toBe('/admin');
	const tabbed = await send(`${baseURL}/admin/login?next=/%09/evil.example`, {
		form: { username: ADMIN.username, password: ADMIN.password }
	});
	expect(tabbed.status, tabbed.body.slice(0, 300)).toBe(303);
	expect(tabbed.location).toBe('/admin');
	// already signed in: the login page sends on at once
	const cookie = `postern_admin=${token}`;
	for (const next of unsafe) {
		const answer = await send(`${baseURL}/admin/login?next=${next}`, { cookie });
		expect(answer.status, next).toBe(303);
		expect(answer.location, next).toBe('/admin');
	}
	const fine = await send(
		`${baseURL}/admin/login?next=${encodeURIComponent('/admin/audit?page=1')}`,
		{
			cookie
		}
	);
	expect(fine.status).toBe(303);
	expect(fine.location).toBe('/admin/audit?page=1');
});
