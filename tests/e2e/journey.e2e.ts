/**
 * A console account's first day, in a browser, on a Postern of its own: first-run setup -> the recovery codes shown
 * once -> download them -> "I have saved these codes" -> console; sign out -> sign in -> a wrong password
 * shows an error -> "Forgot password?" with a recovery code -> the same code refused the second time ->
 * account page -> lockout after repeated failures, with a message saying when to try again.
 */
import { readFileSync } from 'node:fs';
import { testWithOwnServer, expect } from './support/fixtures.js';
import { ADMIN, RECOVERY_CODE, SUPPORT, setupCodeOf } from './support/accounts.js';
import {
	assertFieldError,
	assertSignedIn,
	codesSection,
	passwordSection,
	populateChangePassword,
	populateForgot,
	populateLogin,
	populateSetup,
	readShownCodes,
	seriousA11yViolations,
	setupValues,
	signIn,
	signOut,
	submitForgot,
	submitSetup
} from './support/pages.js';

const test = testWithOwnServer('journey');
test.describe.configure({ mode: 'serial' });

let codes: string[] = [];
let password = ADMIN.password;

test('first run: setup, the codes once, download, "I have saved these codes", console', async ({
	page,
	context,
	server
}) => {
	await page.goto('/');
	await expect(page).toHaveURL(/\/setup$/);
	await populateSetup(page, setupValues(setupCodeOf(server.dataDir)));
	await submitSetup(page);

	codes = await readShownCodes(page);
	expect(new Set(codes).size).toBe(10);
	for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
	expect(await seriousA11yViolations(page)).toEqual([]);

	const downloading = page.waitForEvent('download');
	await page.getByRole('link', { name: 'Download as .txt' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe(`postern-recovery-codes-${ADMIN.username}.txt`);
	const text = readFileSync(await download.path(), 'utf8');
	expect(text).toContain(`Postern recovery codes for ${ADMIN.username}`);
	for (const code of codes) expect(text).toContain(code);

	// Continue needs the tick
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page).toHaveURL(/\/setup$/);
	await page.getByRole('checkbox', { name: 'I have saved these codes' }).check();
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
	await assertSignedIn(page, ADMIN);

	// the session cookie as the browser holds it
	const cookies = await context.cookies();
	expect(cookies.map((c) => c.name)).toEqual(['postern_admin']);
	expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });

	// shown once: setup is closed, and no page shows them again
	await page.goto('/setup');
	await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
	await page.goto('/admin/account');
	await expect(codesSection(page)).toContainText('10 of 10 codes unused');
	expect(await page.content()).not.toContain(codes[0]);
});

test('sign out, sign in, wrong password, reset with a recovery code, same code refused', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await signOut(page);
	await page.goto('/admin/account');
	await expect(page).toHaveURL(/\/admin\/login\?next=%2Fadmin%2Faccount$/);

	await populateLogin(page, { username: ADMIN.username, password: 'not-the-password-at-all' });
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
	await expect(page).toHaveURL(/\/admin\/login/);

	await populateLogin(page, ADMIN);
	await page.getByRole('button', { name: 'Sign in' }).click();
	// back to the page that was asked for
	await expect(page).toHaveURL(/\/admin\/account$/);
	await signOut(page);

	await page.getByRole('link', { name: 'Forgot password?' }).click();
	await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
	const reset = 'Amber-Falcon-Ridge-31';
	// dashes and letter case do not matter
	await populateForgot(page, {
		username: ADMIN.username,
		recoveryCode: codes[0].toLowerCase().replace(/-/g, ' '),
		newPassword: reset
	});
	await submitForgot(page);
	await expect(page).toHaveURL(/\/admin\/login\?notice=password-reset$/);
	await expect(page.getByRole('status')).toHaveText(
		'Your password has been changed. Sign in with the new one.'
	);
	password = reset;

	// the old password no longer works, the new one does
	await populateLogin(page, ADMIN);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
	await signIn(page, { ...ADMIN, password });
	await signOut(page);

	// the same code a second time
	await page.goto('/admin/forgot');
	await populateForgot(page, {
		username: ADMIN.username,
		recoveryCode: codes[0],
		newPassword: 'Copper-Willow-Tide-58'
	});
	await submitForgot(page);
	await expect(page.getByRole('alert')).toHaveText(
		'That username and recovery code do not match an unused code.'
	);
	await signIn(page, { ...ADMIN, password });
});

test('account: codes left, change password, regenerate codes (the old set stops working)', async ({
	page,
	browser,
	server
}) => {
	await signIn(page, { ...ADMIN, password });
	// a second session elsewhere, ended by the password change
	const elsewhere = await browser.newPage({ baseURL: server.url });
	await signIn(elsewhere, { ...ADMIN, password });

	await page.goto('/admin/account');
	await expect(codesSection(page)).toContainText('9 of 10 codes unused');

	// the current password is required
	await populateChangePassword(page, {
		current: 'wrong current password',
		next: 'Velvet-Orbit-Canyon-64'
	});
	await passwordSection(page).getByRole('button', { name: 'Change password' }).click();
	await assertFieldError(
		passwordSection(page),
		'Current password',
		'The current password is not correct.'
	);

	await populateChangePassword(page, { current: password, next: 'Velvet-Orbit-Canyon-64' });
	await passwordSection(page).getByRole('button', { name: 'Change password' }).click();
	await expect(passwordSection(page).getByRole('status')).toHaveText(
		'Password changed. Your other sessions have been signed out.'
	);
	password = 'Velvet-Orbit-Canyon-64';
	// this session goes on; the other one is over
	await page.reload();
	await assertSignedIn(page, ADMIN);
	await elsewhere.goto(elsewhere.url());
	await expect(elsewhere).toHaveURL(/\/admin\/login/);
	await elsewhere.close();

	// regenerate: needs the password, shows a fresh set once
	const section = codesSection(page);
	await section.getByLabel('Current password', { exact: true }).fill(password);
	await section.getByRole('button', { name: 'Generate new recovery codes' }).click();
	const fresh = await readShownCodes(page);
	expect(fresh.filter((c) => codes.includes(c))).toEqual([]);
	await page.getByRole('checkbox', { name: 'I have saved these codes' }).check();
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(codesSection(page)).toContainText('10 of 10 codes unused');
	await signOut(page);

	// an unused code of the old set is refused
	await page.goto('/admin/forgot');
	await populateForgot(page, {
		username: ADMIN.username,
		recoveryCode: codes[1],
		newPassword: 'Granite-Sparrow-Delta-19'
	});
	await submitForgot(page);
	await expect(page.getByRole('alert')).toHaveText(
		'That username and recovery code do not match an unused code.'
	);
	// and one of the new set works
	await populateForgot(page, {
		username: ADMIN.username,
		recoveryCode: fresh[9],
		newPassword: 'Granite-Sparrow-Delta-19'
	});
	await submitForgot(page);
	await expect(page).toHaveURL(/notice=password-reset$/);
	password = 'Granite-Sparrow-Delta-19';
	codes = fresh;
});

test('lockout after repeated failures: the message says when to try again', async ({ page }) => {
	test.setTimeout(150_000);
	await page.goto('/admin/login');
	const alert = page.getByRole('alert');
	let message = '';
	// From the 5th failure each try must wait 1, 2, 4, 8, 16 s (the message says how long); the 10th locks.
	for (let attempt = 1; attempt <= 20; attempt++) {
		await populateLogin(page, { username: ADMIN.username, password: `wrong password ${attempt}` });
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(alert).toBeVisible();
		message = (await alert.textContent())?.trim() ?? '';
		if (/try again in \d+ minutes?/i.test(message)) break;
		const wait = message.match(/try again in (\d+) seconds?/i);
		if (wait) await page.waitForTimeout(Number(wait[1]) * 1000 + 250);
		// a fresh page each round, so the next message is never the last one's
		await page.goto('/admin/login');
	}
	expect(message).toBe(
		'Wrong username or password. Too many failed sign-ins: try again in 15 minutes.'
	);

	// locked: even the right password is refused, and the message says when
	await populateLogin(page, { ...ADMIN, password });
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(alert).toHaveText('Too many failed sign-ins. Try again in 15 minutes.');
	await expect(page).toHaveURL(/\/admin\/login/);

	// counted per account: the support account still signs in
	await populateLogin(page, SUPPORT);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await assertSignedIn(page, SUPPORT);
});
