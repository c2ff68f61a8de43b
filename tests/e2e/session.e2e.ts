/**
 * The session cookie over plain http (the main server, no proxy): its flags, and that a token stops working
 * after sign-out and after a new sign-in in the same browser.
 */
import { expect, test } from '@playwright/test';
import { ADMIN } from './support/accounts.js';
import { send, sessionCookieOf, signInOverHttp } from './support/http.js';

test('sign-in sets postern_admin: HttpOnly, SameSite=Lax, Path=/, no Secure over http', async ({
	baseURL
}) => {
	const { reply, cookie, token } = await signInOverHttp(baseURL!);
	expect(reply.location).toBe('/admin');
	expect(reply.setCookies).toHaveLength(1);
	expect(cookie.name).toBe('postern_admin');
	expect(cookie.attributes).toHaveProperty('httponly', '');
	expect(cookie.attributes.samesite).toBe('Lax');
	expect(cookie.attributes.path).toBe('/');
	expect(cookie.attributes).not.toHaveProperty('secure');
	expect(cookie.attributes).not.toHaveProperty('domain');
	expect(Number(cookie.attributes['max-age'])).toBe(12 * 60 * 60);
	// 256 random bits, base64url
	expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
	const page = await send(`${baseURL}/admin`, { cookie: `postern_admin=${token}` });
	expect(page.status).toBe(200);
	expect(page.body).toContain(ADMIN.username);
	expect(page.headers.get('cache-control')).toBe('no-store');
	expect(page.headers.get('strict-transport-security')).toBeNull();
});

test('the token is refused after sign-out', async ({ baseURL }) => {
	const { token } = await signInOverHttp(baseURL!);
	const cookie = `postern_admin=${token}`;
	expect((await send(`${baseURL}/admin/account`, { cookie })).status).toBe(200);

	const out = await send(`${baseURL}/admin/logout`, { cookie, form: {} });
	expect(out.status).toBe(303);
	expect(out.location).toBe('/admin/login?notice=signed-out');
	const cleared = sessionCookieOf(out);
	expect(cleared?.value).toBe('');
	expect(cleared?.attributes['max-age']).toBe('0');

	// replaying the old cookie: no session
	const replay = await send(`${baseURL}/admin/account`, { cookie });
	expect(replay.status).toBe(303);
	expect(replay.location).toBe('/admin/login?next=%2Fadmin%2Faccount');
	expect((await send(`${baseURL}/admin/logout`, { cookie, form: {} })).status).toBe(303);
});

test('a new sign-in issues a new token and ends the one the browser held', async ({ baseURL }) => {
	const first = await signInOverHttp(baseURL!);
	const second = await signInOverHttp(baseURL!, ADMIN, { cookie: `postern_admin=${first.token}` });
	expect(second.token).not.toBe(first.token);
	expect((await send(`${baseURL}/admin`, { cookie: `postern_admin=${first.token}` })).status).toBe(
		303
	);
	expect((await send(`${baseURL}/admin`, { cookie: `postern_admin=${second.token}` })).status).toBe(
		200
	);

	// a sign-in somewhere else (no cookie presented) leaves other sessions alone
	const third = await signInOverHttp(baseURL!);
	expect((await send(`${baseURL}/admin`, { cookie: `postern_admin=${second.token}` })).status).toBe(
		200
	);
	expect(third.token).not.toBe(second.token);
});

test('in the browser: signing out ends the session held in the cookie jar', async ({
	page,
	context
}) => {
	await page.goto('/admin/login');
	await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
	await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByTestId('signed-in-user')).toHaveText(ADMIN.username);
	const [held] = await context.cookies();
	expect(held).toMatchObject({
		name: 'postern_admin',
		httpOnly: true,
		sameSite: 'Lax',
		secure: false,
		path: '/'
	});
	expect(await page.evaluate(() => document.cookie)).toBe('');

	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/notice=signed-out/);
	expect(await context.cookies()).toEqual([]);
	// put the old cookie back: it is refused
	await context.addCookies([{ ...held }]);
	await page.goto('/admin');
	await expect(page).toHaveURL(/\/admin\/login\?next=%2Fadmin$/);
});
