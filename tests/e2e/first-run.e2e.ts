/**
 * The main server before any account exists: the setup code (printed in the log, kept 0600 in the data folder,
 * asked for by /setup), the setup page's checks (bad input, accessibility, screenshots), then the setup
 * itself, which the `console` project's specs build on.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ADMIN, SUPPORT, RECOVERY_CODE, saveMainCodes, setupCodeOf } from './support/accounts.js';
import { send, setupForm } from './support/http.js';
import { MAIN_DATA_DIR } from './support/postern.js';
import {
	SETUP_LABELS,
	assertFieldError,
	populateSetup,
	readShownCodes,
	screenshotBothSchemes,
	seriousA11yViolations,
	setupValues,
	submitSetup
} from './support/pages.js';

test.describe.configure({ mode: 'serial' });

const SETUP_CODE_FILE = path.join(MAIN_DATA_DIR, 'setup-code');
const SETUP_CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;
const mainSetupCode = () => setupCodeOf(MAIN_DATA_DIR);

test('the setup code is printed in the server log and kept in a 0600 file in the data folder', () => {
	const code = mainSetupCode();
	expect(code).toMatch(SETUP_CODE);
	expect(statSync(SETUP_CODE_FILE).mode & 0o777).toBe(0o600);
	const log = readFileSync(path.resolve('test-results', 'servers', 'main.log'), 'utf8');
	expect(log).toContain(`Postern first-run setup code: ${code}`);
	expect(log).toContain(`It is also in ${SETUP_CODE_FILE}`);
});

test('setup without the setup code, or with a wrong one, is refused and creates nothing', async ({
	baseURL
}) => {
	const code = mainSetupCode();
	const wrong = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
	const cases = [
		{ setupCode: '', error: 'Enter the setup code' },
		{ setupCode: wrong, error: 'That is not the setup code.' },
		{ setupCode: 'ABCD-EFGH-JKMN-PQRS', error: 'That is not the setup code.' }
	];
	for (const { setupCode, error } of cases) {
		const reply = await send(`${baseURL}/setup`, { form: setupForm(setupCode) });
		expect(reply.status, setupCode).toBe(400);
		expect(reply.body, setupCode).toContain(error);
		expect(reply.body, setupCode).toMatch(/id="f-setupCode"[^>]*aria-invalid="true"/);
		expect(reply.body).not.toContain(code);
	}
	// leaving the field out of the post is no way around it
	const withoutField = Object.fromEntries(
		Object.entries(setupForm(code)).filter(([name]) => name !== 'setupCode')
	);
	const reply = await send(`${baseURL}/setup`, { form: withoutField });
	expect(reply.status).toBe(400);
	expect(reply.body).toContain('Enter the setup code');
	// nothing was created, and the code still works
	expect((await send(`${baseURL}/admin/login`)).location).toBe('/setup');
	expect(mainSetupCode()).toBe(code);
});

test('in the browser: the "Setup code" field says where the code is, and a wrong one is a field error', async ({
	page
}) => {
	await page.goto('/setup');
	const field = page.getByLabel(SETUP_LABELS.setupCode, { exact: true });
	await expect(field).toHaveAccessibleDescription(
		new RegExp(`server log .*${SETUP_CODE_FILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)
	);
	await populateSetup(page, setupValues('ABCD-EFGH-JKMN-PQRS'));
	await submitSetup(page);
	await assertFieldError(page, SETUP_LABELS.setupCode, /That is not the setup code\./);
	await expect(page.getByRole('heading', { name: 'Set up Postern' })).toBeVisible();
});

test('in the browser: the password rules tick as the user types, the guess check asked of the server (no dictionary downloaded)', async ({
	page
}) => {
	const scripts: Promise<string>[] = [];
	const checks: string[] = [];
	page.on('request', (request) => {
		if (new URL(request.url()).pathname === '/password-check') checks.push(request.method());
	});
	page.on('response', (response) => {
		if (response.request().resourceType() === 'script')
			scripts.push(response.text().catch(() => ''));
	});
	await page.goto('/setup');
	const field = page.getByLabel(SETUP_LABELS.adminPassword, { exact: true });
	const rules = page.locator('#f-adminPassword-rules');
	await field.fill('short');
	await expect(rules.getByText('12 to 128 characters')).toHaveText(/Not met:\s*12 to 128/);
	// the length rule speaks first: nothing is asked of the server for a password that is too short
	expect(checks).toEqual([]);
	await field.fill('password1234');
	await expect(rules.getByRole('listitem').last()).toHaveText(/Not met:\s*Too easy to guess/);
	await field.fill('violet kettle drums at dawn');
	await expect(rules.getByRole('listitem').last()).toHaveText(
		/Met:\s*Not a common or easily guessed password/
	);
	expect(checks.length).toBeGreaterThanOrEqual(2);
	expect(checks.every((method) => method === 'POST')).toBe(true);
	// the common-password list (which holds "trustno1") stays on the server
	const downloaded = await Promise.all(scripts);
	expect(downloaded.length).toBeGreaterThan(0);
	expect(downloaded.filter((source) => source.includes('trustno1'))).toEqual([]);
});

test('every page leads to setup while no account exists', async ({ page, baseURL }) => {
	for (const path of ['/', '/admin', '/admin/login', '/admin/account', '/admin/audit']) {
		const reply = await send(`${baseURL}${path}`);
		expect(reply.status, path).toBe(303);
		expect(reply.location, path).toBe('/setup');
	}
	await page.goto('/admin/audit');
	await expect(page).toHaveURL(/\/setup$/);
	await expect(page.getByRole('heading', { name: 'Set up Postern' })).toBeVisible();
	expect((await send(`${baseURL}/healthz`)).status).toBe(200);
});

test('setup: bad input gets a field-level error in the browser and creates nothing', async ({
	page,
	baseURL
}) => {
	await page.goto('/setup');
	const good = setupValues(mainSetupCode());
	const cases: { values: Partial<typeof good>; label: string; error: RegExp }[] = [
		{
			values: { adminUsername: '' },
			label: SETUP_LABELS.adminUsername,
			error: /Enter the ui admin username/i
		},
		{
			values: { adminUsername: 'has space' },
			label: SETUP_LABELS.adminUsername,
			error: /letters, digits and \. _ @ - only/
		},
		{
			values: { adminPassword: 'short-1A', adminConfirm: 'short-1A' },
			label: SETUP_LABELS.adminPassword,
			error: /at least 12 characters/
		},
		{
			values: { adminConfirm: `${good.adminPassword}x` },
			label: SETUP_LABELS.adminConfirm,
			error: /do not match/
		},
		{
			values: { supportUsername: ADMIN.username.toUpperCase() },
			label: SETUP_LABELS.supportUsername,
			error: /Must differ from the UI Admin Username/
		},
		{
			values: { supportPassword: SUPPORT.username, supportConfirm: SUPPORT.username },
			label: SETUP_LABELS.supportPassword,
			error: /must not be the username/
		},
		// only the server knows the common-password list: this one comes back from it
		{
			values: { adminPassword: 'password1234', adminConfirm: 'password1234' },
			label: SETUP_LABELS.adminPassword,
			error: /Too easy to guess/
		}
	];
	for (const { values, label, error } of cases) {
		await populateSetup(page, { ...good, ...values });
		await submitSetup(page);
		await assertFieldError(page, label, error);
		await expect(page.getByRole('heading', { name: 'Set up Postern' })).toBeVisible();
	}
	// nothing was created: the console still sends everyone to setup
	expect((await send(`${baseURL}/admin/login`)).location).toBe('/setup');
});

test('setup: the server refuses bad input on its own (no JavaScript) with field errors', async ({
	baseURL
}) => {
	const good = setupForm(mainSetupCode());
	const long = 'Zq7-'.repeat(33); // 132 characters
	const cases: { fields: Partial<typeof good>; error: string }[] = [
		{
			fields: { adminPassword: 'password1234', adminConfirm: 'password1234' },
			error: 'Too easy to guess'
		},
		{
			fields: { supportPassword: 'qwertyuiop123', supportConfirm: 'qwertyuiop123' },
			error: 'Too easy to guess'
		},
		{ fields: { adminPassword: long, adminConfirm: long }, error: 'Use at most 128 characters.' },
		{
			fields: { adminPassword: 'Short-pw-1', adminConfirm: 'Short-pw-1' },
			error: 'Use at least 12 characters.'
		},
		{
			fields: { supportUsername: ADMIN.username },
			error: 'Must differ from the UI Admin Username'
		},
		{ fields: { adminUsername: 'evil\r\nX-Injected: 1' }, error: 'letters, digits' },
		// no trimming: a password with a trailing space is not its confirmation without one
		{ fields: { adminConfirm: `${good.adminPassword} ` }, error: 'The passwords do not match.' }
	];
	for (const { fields, error } of cases) {
		const reply = await send(`${baseURL}/setup`, { form: { ...good, ...fields } });
		expect(reply.status, error).toBe(400);
		expect(reply.body, error).toContain('aria-invalid="true"');
		expect(reply.body, error).toContain(error);
		// typed passwords never come back in the page
		expect(reply.body).not.toContain(good.adminPassword);
		expect(reply.body).not.toContain(good.supportPassword);
		expect(reply.body).not.toContain(good.setupCode);
	}
	expect((await send(`${baseURL}/admin`)).location).toBe('/setup');
});

test('setup page: no serious accessibility violations, light and dark; screenshots', async ({
	page
}) => {
	await page.goto('/setup');
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		expect(await seriousA11yViolations(page), colorScheme).toEqual([]);
	}
	await populateSetup(page, {
		...setupValues(mainSetupCode()),
		adminConfirm: 'not the same password'
	});
	await screenshotBothSchemes(page, 'setup');
});

test('setup with the code creates both accounts, signs the admin in, shows the codes and erases the code', async ({
	page,
	baseURL
}) => {
	const code = mainSetupCode();
	await page.goto('/setup');
	await populateSetup(page, setupValues(code));
	await submitSetup(page);
	await expect(
		page.getByRole('status').filter({ hasText: 'The accounts are ready' })
	).toContainText(ADMIN.username);
	const codes = await readShownCodes(page);
	for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
	saveMainCodes(codes);
	// spent: the file is gone and the code opens nothing
	expect(existsSync(SETUP_CODE_FILE)).toBe(false);
	expect((await send(`${baseURL}/setup`, { form: setupForm(code) })).location).toBe('/admin/login');
	await page.getByRole('checkbox', { name: 'I have saved these codes' }).check();
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
});
