/**
 * Bad input on every form: a field-level error, and nothing changes. Then no input at all may produce a
 * 500: a table of nasty values and fast-check's arbitrary strings posted straight at every form action.
 * (Setup's bad input is checked in first-run.e2e.ts, before the main server has accounts.)
 */
import fc from 'fast-check';
import { expect, test } from '@playwright/test';
import { ADMIN, SUPPORT, mainCodes } from './support/accounts.js';
import {
	send,
	setupForm,
	setUpOverHttp,
	signInOverHttp,
	type SendOptions
} from './support/http.js';
import {
	assertFieldError,
	codesSection,
	passwordSection,
	populateChangePassword,
	populateForgot,
	populateLogin,
	signIn,
	submitForgot
} from './support/pages.js';
import { startPostern, type Postern } from './support/postern.js';

test.describe('bad input gets a field-level error and changes nothing (main server)', () => {
	test('sign-in', async ({ page }) => {
		await page.goto('/admin/login');
		const cases = [
			{ username: '', password: 'whatever', label: 'Username', error: 'Enter the username.' },
			{ username: ADMIN.username, password: '', label: 'Password', error: 'Enter the password.' },
			{
				username: 'two words',
				password: 'whatever',
				label: 'Username',
				error: 'Username may use letters, digits and . _ @ - only.'
			},
			{
				username: ADMIN.username,
				password: 'x'.repeat(129),
				label: 'Password',
				error: 'Passwords are at most 128 characters.'
			}
		];
		for (const { label, error, ...account } of cases) {
			await populateLogin(page, account);
			await page.getByRole('button', { name: 'Sign in' }).click();
			await assertFieldError(page, label, error);
			await expect(page).toHaveURL(/\/admin\/login$/);
		}
		// an unknown account: the form-level message (the same as for a wrong password)
		await populateLogin(page, { username: 'nobody-here', password: 'Some-Password-123' });
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
		await signIn(page, ADMIN);
	});

	test('forgot password: the recovery code is not spent by a rejected form', async ({ page }) => {
		const code = mainCodes()[2];
		await page.goto('/admin/forgot');
		const good = {
			username: ADMIN.username,
			recoveryCode: code,
			newPassword: 'Copper-Willow-Tide-58'
		};
		const cases = [
			{
				values: { ...good, recoveryCode: '' },
				label: 'Recovery code',
				error: 'Enter one of your recovery codes.'
			},
			{ values: { ...good, username: '' }, label: 'Username', error: 'Enter the username.' },
			{
				values: { ...good, newPassword: 'too-short', confirm: 'too-short' },
				label: 'New password',
				error: 'Use at least 12 characters.'
			},
			{
				values: { ...good, confirm: `${good.newPassword} ` },
				label: 'Confirm new password',
				error: 'The passwords do not match.'
			},
			// checked by the server before the code is looked at, so a weak password never spends a code
			{
				values: { ...good, newPassword: 'password1234', confirm: 'password1234' },
				label: 'New password',
				error: /^Too easy to guess/
			},
			{
				values: {
					...good,
					newPassword: ADMIN.username.toUpperCase() + '-1',
					confirm: ADMIN.username.toUpperCase() + '-1'
				},
				label: 'New password',
				error: /^Too easy to guess|must not be the username/
			}
		];
		for (const { values, label, error } of cases) {
			await populateForgot(page, values);
			await submitForgot(page);
			await assertFieldError(page, label, error);
			await expect(page).toHaveURL(/\/admin\/forgot$/);
		}
		// nothing changed: the old password works and all ten codes are unused
		await signIn(page, ADMIN);
		await page.goto('/admin/account');
		await expect(codesSection(page)).toContainText('10 of 10 codes unused');
	});

	test('account: change password and regenerate codes', async ({ page, baseURL }) => {
		await signIn(page, ADMIN);
		await page.goto('/admin/account');
		const next = 'Velvet-Orbit-Canyon-64';
		const cases = [
			{ values: { current: '', next }, label: 'Current password', error: 'Enter the password.' },
			{
				values: { current: ADMIN.password, next: 'short-pw' },
				label: 'New password',
				error: 'Use at least 12 characters.'
			},
			{
				values: { current: ADMIN.password, next, confirm: next.toLowerCase() },
				label: 'Confirm new password',
				error: 'The passwords do not match.'
			},
			{
				values: { current: ADMIN.password, next: 'qwertyuiop123' },
				label: 'New password',
				error: /^Too easy to guess/
			},
			{
				values: { current: ADMIN.password, next: ADMIN.password },
				label: 'New password',
				error: 'Choose a password different from the current one.'
			},
			{
				values: { current: 'not my password at all', next },
				label: 'Current password',
				error: 'The current password is not correct.'
			}
		];
		const section = passwordSection(page);
		for (const { values, label, error } of cases) {
			await populateChangePassword(page, values);
			await section.getByRole('button', { name: 'Change password' }).click();
			await assertFieldError(section, label, error);
		}
		await expect(section.getByRole('status')).toHaveCount(0);

		const codes = codesSection(page);
		for (const [current, error] of [
			['', 'Enter the password.'],
			['not my password at all', 'The current password is not correct.']
		]) {
			await codes.getByLabel('Current password', { exact: true }).fill(current);
			await codes.getByRole('button', { name: 'Generate new recovery codes' }).click();
			await assertFieldError(codes, 'Current password', error);
		}
		await expect(page.getByTestId('recovery-codes')).toHaveCount(0);

		// nothing changed
		await page.reload();
		await expect(codes).toContainText('10 of 10 codes unused');
		await signInOverHttp(baseURL!, ADMIN);
	});
});

/** Strings that have broken form handlers somewhere. */
const NASTY = [
	'',
	' ',
	'\t',
	'\u0000',
	'a\u0000b',
	'\r\n',
	'line\r\nX-Injected: yes',
	'%00',
	'%',
	'%E0%A4%A',
	'../../../../etc/passwd',
	"' OR '1'='1' --",
	'"; drop table admins; --',
	'<script>alert(1)</script>',
	'{{7*7}}',
	'${jndi:ldap://127.0.0.1/x}',
	'__proto__',
	'constructor',
	'[object Object]',
	'null',
	'undefined',
	'NaN',
	'-1',
	'1e309',
	'\u202Eevil\u202C',
	'\u200B\u200B\u200B',
	'\u00A0\u00A0',
	'\uFEFF',
	'\uD800',
	'🔥'.repeat(100),
	'Ω'.repeat(129),
	'x'.repeat(128),
	'x'.repeat(129),
	'x'.repeat(10_000),
	'AAAA-BBBB-CCCC-DDDD',
	ADMIN.username,
	ADMIN.username.toUpperCase()
];

const value = fc.oneof(
	{ weight: 2, arbitrary: fc.constantFrom(...NASTY) },
	{ weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
	{ weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 10, maxLength: 140 }) }
);

test.describe('no input produces a 500 (a Postern of its own, behind a trusted proxy)', () => {
	test.describe.configure({ mode: 'serial' });
	let server: Postern;
	let cookie = '';
	let ip = 0;
	/** A different client address per request, so the throttle does not hide the handlers from the fuzzer. */
	const fromNewAddress = () => ({ 'x-forwarded-for': `10.9.${(ip >> 8) & 255}.${ip++ & 255}` });

	test.beforeAll(async () => {
		server = await startPostern('fuzz', { env: { POSTERN_TRUST_PROXY: 'true' } });
	});
	test.afterAll(async () => {
		await server?.stop();
	});

	async function post(path: string, options: SendOptions, what: string) {
		const reply = await send(`${server.url}${path}`, {
			...options,
			headers: { ...fromNewAddress(), ...options.headers }
		});
		expect(reply.status, `${what}: ${reply.body.slice(0, 300)}`).toBeLessThan(500);
		expect(reply.body, what).not.toContain('Something went wrong on our side');
		return reply;
	}

	test('setup', async () => {
		test.setTimeout(120_000);
		await fc.assert(
			fc.asyncProperty(
				fc.record({
					adminUsername: value,
					adminPassword: value,
					supportUsername: value,
					supportPassword: value,
					supportConfirm: value
				}),
				async (fields) => {
					// never valid (the confirmation differs), so setup must stay undone
					const form = { ...fields, adminConfirm: `${fields.adminPassword}-` };
					const reply = await post('/setup', { form }, JSON.stringify(form));
					expect(reply.status).toBe(400);
				}
			),
			{ numRuns: 40 }
		);
		// raw bodies a form handler does not expect
		const bodies: SendOptions[] = [
			{ method: 'POST', body: '', contentType: 'application/x-www-form-urlencoded' },
			{ method: 'POST', body: '%%%&&&===', contentType: 'application/x-www-form-urlencoded' },
			{
				method: 'POST',
				body: 'adminUsername=a&adminUsername=b&adminUsername=c',
				contentType: 'application/x-www-form-urlencoded'
			},
			{ method: 'POST', body: '{"adminUsername":"x"}', contentType: 'application/json' },
			{ method: 'POST', body: 'garbage', contentType: 'multipart/form-data; boundary=nothing' },
			{ method: 'POST', form: { __superform_json: 'not devalue at all' } },
			{
				method: 'POST',
				form: { __superform_json: '[{"adminUsername":1},"x"]', __superform_id: 'x' }
			},
			{ method: 'POST', form: { ...setupForm(), supportConfirm: '', __superform_json: '[1,2,3' } },
			{
				method: 'POST',
				body: `adminUsername=${'x'.repeat(2_000_000)}`,
				contentType: 'application/x-www-form-urlencoded'
			}
		];
		for (const options of bodies)
			await post(
				'/setup',
				options,
				`raw ${String(options.body ?? JSON.stringify(options.form)).slice(0, 60)}`
			);
		expect((await send(`${server.url}/admin`)).location).toBe('/setup');
	});

	test('sign-in, forgot password and account', async () => {
		test.setTimeout(180_000);
		const { codes } = await setUpOverHttp(server);
		({ token: cookie } = await signInOverHttp(server.url, ADMIN));
		cookie = `postern_admin=${cookie}`;

		await fc.assert(
			fc.asyncProperty(fc.record({ username: value, password: value }), async (form) => {
				await post('/admin/login', { form }, `login ${JSON.stringify(form)}`);
			}),
			{ numRuns: 40 }
		);
		await fc.assert(
			fc.asyncProperty(
				fc.record({ username: value, recoveryCode: value, newPassword: value, confirm: value }),
				fc.boolean(),
				async (form, matching) => {
					// half of them with a matching confirmation, to reach the code check
					const sent = matching ? { ...form, confirm: form.newPassword } : form;
					await post('/admin/forgot', { form: sent }, `forgot ${JSON.stringify(sent)}`);
				}
			),
			{ numRuns: 40 }
		);
		await fc.assert(
			fc.asyncProperty(
				fc.record({ currentPassword: value, newPassword: value, confirm: value }),
				async (form) => {
					await post(
						'/admin/account?/password',
						{ form, cookie },
						`password ${JSON.stringify(form)}`
					);
					await post('/admin/account?/codes', { form, cookie }, `codes ${JSON.stringify(form)}`);
				}
			),
			{ numRuns: 30 }
		);
		for (const cursor of ['0', '-1', '1.5', 'abc', '1e309', '99999999999999999999', '%00'])
			for (const side of ['older', 'newer'])
				await post(
					`/admin/audit?${side}=${cursor}`,
					{ method: 'GET', cookie },
					`audit ${side} ${cursor}`
				);

		// nothing changed: the same passwords and all ten codes
		await signInOverHttp(server.url, ADMIN);
		await signInOverHttp(server.url, SUPPORT);
		const account = await send(`${server.url}/admin/account`, { cookie });
		expect(account.body).toMatch(/data-testid="unused-codes"[^>]*>10</);
		expect(codes).toHaveLength(10);
	});
});
