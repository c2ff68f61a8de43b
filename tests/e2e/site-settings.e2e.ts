/**
 * The site settings in Chromium, on a Postern of its own (switching site e-mail on shows a banner on every console page
 * and the reset link changes the admin's password: neither may leak into the main server's specs).
 *
 * Switching SMTP configuration on: the SMTP method (Basic SMTP against a real smtp-server sink this spec starts),
 * the three e-mails (distinct, stored lower-cased, a change asks for the current password), Default Recipients
 * (de-duplicated, lower-cased, the error names the bad entry), on without a test (banner on other pages until a
 * passing test), the password-reset link (arrives in the sink, works once, the same answer for an unknown
 * username), and switching off.
 *
 * Not here, and why:
 * - The Microsoft method: a server process cannot reach an msw handler living in this test process, and the
 *   token client is pointed at the Microsoft mock only in mock mode. dev-mock.e2e.ts covers Microsoft end to end
 *   (mocked identity platform, XOAUTH2 into the embedded sink, AADSTS diagnosis); the site settings embed the
 *   same editor and test (SmtpServerEditor.svelte, smtp-editor.ts).
 * - The link's 30-minute expiry: src/lib/server/auth/reset-link.test.ts ("expire after 30 minutes") moves the
 *   clock; an e2e run cannot wait half an hour.
 */
import { testWithOwnServer, expect } from './support/fixtures.js';
import { ADMIN } from './support/accounts.js';
import { setUpOverHttp } from './support/http.js';
import { assertFieldError, screenshotBothSchemes, signIn } from './support/pages.js';
import {
	PEER_USER,
	passwordField,
	populateBasicServer,
	runConfigurationTest,
	startBasicSink,
	waitForMessage,
	type SmtpPeer
} from './support/smtp.js';
import type { Page } from '@playwright/test';

const test = testWithOwnServer('site-settings');
test.describe.configure({ mode: 'serial' });

const ADMIN_EMAIL = 'admin@example.test';
const SUPPORT_EMAIL = 'support@example.test';
const ALERT_EMAIL = 'alerts@example.test';
const NEW_PASSWORD = 'Copper-Kettle-Meadow-58';

let sink: SmtpPeer;
let password = ADMIN.password;

test.beforeAll(async ({ server }) => {
	sink = await startBasicSink();
	await setUpOverHttp(server);
});
test.afterAll(async () => {
	await sink?.close();
});

const section = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
/** A read-only value as the section lists it: the label, then the value. */
const shown = (label: string, value: string) =>
	new RegExp(`${label}\\s*${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`);

test('SMTP servers: a fresh instance shows the empty state and the first step', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/smtp-servers');
	await expect(page.getByRole('heading', { name: 'No SMTP server yet' })).toBeVisible();
	await expect(page.getByText(/Add the server Postern sends through/)).toBeVisible();
	await expect(page.getByRole('table')).toHaveCount(0);
	await expect(page.getByRole('link', { name: 'Add SMTP server' })).toHaveCount(2);
});

test('switching on starts with the SMTP method: Basic SMTP against a local sink', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/site');
	await expect(page.getByTestId('smtp-state')).toHaveText('Off');
	// SMTP off: no e-mail fields
	await expect(page.getByLabel('UI Admin Email')).toHaveCount(0);
	await page.getByRole('link', { name: 'Switch SMTP configuration on…' }).click();
	await expect(page).toHaveURL(/\?enable=1/);

	const method = section(page, 'SMTP method');
	await populateBasicServer(method, {
		host: sink.host,
		port: sink.port,
		username: PEER_USER.username,
		password: PEER_USER.password,
		fromAddress: 'Postern@Example.TEST'
	});
	await method.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByRole('status')).toHaveText('SMTP method saved.');
	await expect(method).toContainText('Basic SMTP (username and password)');
	await expect(method).toContainText(`${sink.host}:${sink.port} · Unsecured`);
	await expect(page.getByTestId('site-last-test')).toHaveText('Never tested');
	// still switching on, still off
	await expect(page).toHaveURL(/enable=1/);
	await expect(page.getByTestId('smtp-state')).toHaveText('Off');

	// sending the site's mail (reset links among it) from elsewhere needs the admin's password
	await method.getByRole('link', { name: 'Edit SMTP method' }).click();
	await method.getByLabel('Sender address', { exact: true }).fill('someone-else@example.test');
	await passwordField(method).fill(PEER_USER.password);
	await method.getByRole('button', { name: 'Save', exact: true }).click();
	await assertFieldError(
		method,
		'Your current password',
		"Enter your current password: this changes where the site's e-mail goes."
	);
	await method.getByLabel('Your current password', { exact: true }).fill('Not-my-password-42');
	await passwordField(method).fill(PEER_USER.password);
	await method.getByRole('button', { name: 'Save', exact: true }).click();
	await assertFieldError(method, 'Your current password', 'The current password is not correct.');
	await method.getByRole('link', { name: 'Cancel' }).click();
	await expect(method).toContainText('<Postern@Example.TEST>');
	await expect(method).not.toContainText('someone-else@example.test');
});

test('the three e-mails: distinct, stored lower-cased; a change asks for the current password', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/site?enable=1');
	const emails = section(page, 'E-mail addresses');
	await emails.getByRole('link', { name: 'Edit E-mail addresses' }).click();
	const admin = page.getByLabel('UI Admin Email', { exact: true });
	const support = page.getByLabel('UI Primary Customer Support Email', { exact: true });
	const alert = page.getByLabel('Admiral Alert Email', { exact: true });
	const confirm = emails.getByRole('button', { name: 'Confirm' });

	// compared without letter case
	await admin.fill('Admin@Example.TEST');
	await support.fill('ADMIN@example.test');
	await alert.fill('Support@Example.test');
	await confirm.click();
	await assertFieldError(
		page,
		'UI Primary Customer Support Email',
		'Must differ from the UI Admin Email.'
	);
	await support.fill('Support@Example.TEST');
	await confirm.click();
	await assertFieldError(
		page,
		'Admiral Alert Email',
		'Must differ from the UI Admin Email and the UI Primary Customer Support Email.'
	);
	await alert.fill('Alerts@EXAMPLE.test');

	// setting the addresses changes where mail goes: the current password is asked
	const current = page.getByLabel('Your current password', { exact: true });
	await expect(current).toBeVisible();
	await confirm.click();
	await assertFieldError(
		page,
		'Your current password',
		'Enter your password to change an e-mail address.'
	);
	await current.fill(password);
	await confirm.click();
	await expect(page.getByRole('status')).toHaveText('E-mail addresses saved.');
	await expect(emails).toContainText(shown('UI Admin Email', ADMIN_EMAIL));
	await expect(emails).toContainText(shown('UI Primary Customer Support Email', SUPPORT_EMAIL));
	await expect(emails).toContainText(shown('Admiral Alert Email', ALERT_EMAIL));

	// unchanged addresses (only letter case differs) need no password; a changed one does
	await emails.getByRole('link', { name: 'Edit E-mail addresses' }).click();
	await expect(admin).toHaveValue(ADMIN_EMAIL);
	await admin.fill('ADMIN@example.test');
	await expect(current).toHaveCount(0);
	await alert.fill('oncall@example.test');
	await expect(current).toBeVisible();
	await confirm.click();
	await assertFieldError(
		page,
		'Your current password',
		'Enter your password to change an e-mail address.'
	);
	await emails.getByRole('link', { name: 'Cancel' }).click();
	await expect(emails).toContainText(shown('Admiral Alert Email', ALERT_EMAIL));
});

test('Default Recipients: each entry checked (the error names it), de-duplicated, lower-cased', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/site?enable=1');
	const recipients = section(page, 'Default Recipients');
	await recipients.getByRole('link', { name: 'Edit Default Recipients' }).click();
	const field = recipients.getByRole('textbox', { name: 'Default Recipients' });
	await field.fill('Ops@Example.test, ops@example.test, ops-at-example.test, oncall@example.test');
	await recipients.getByRole('button', { name: 'Confirm' }).click();
	await expect(field).toHaveAttribute('aria-invalid', 'true');
	await expect(field).toHaveAccessibleDescription(
		/"ops-at-example\.test" is not an e-mail address\.$/
	);

	await field.fill('Ops@Example.test, ops@example.test; OnCall@Example.TEST , ops@EXAMPLE.test');
	await recipients.getByRole('button', { name: 'Confirm' }).click();
	await expect(page.getByRole('status')).toHaveText('Default recipients saved.');
	await expect(page.getByTestId('default-recipients').getByRole('listitem')).toHaveText([
		'ops@example.test',
		'oncall@example.test'
	]);
});

test('switching on without a test leaves a banner on every console page until a test passes', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/site?enable=1');
	const enable = section(page, 'Switch SMTP configuration on');
	await enable.getByRole('button', { name: 'Switch on' }).click();
	await expect(page.getByRole('alert')).toContainText(
		'The saved SMTP method has not passed a configuration test.'
	);
	await expect(page.getByTestId('smtp-state')).toHaveText('Off');

	await enable.getByRole('checkbox', { name: /^Save without testing/ }).check();
	await enable.getByRole('button', { name: 'Switch on' }).click();
	await expect(
		page.getByRole('status').filter({ hasText: 'SMTP configuration is on.' })
	).toBeVisible();
	await expect(page.getByTestId('smtp-state')).toHaveText('On');
	for (const path of ['/admin', '/admin/account', '/admin/smtp-servers']) {
		await page.goto(path);
		await expect(page.getByTestId('untested-banner'), path).toContainText(
			'have not passed a configuration test'
		);
	}
	await expect(
		page.getByRole('row').filter({ hasText: 'Site e-mail (Site settings)' })
	).toContainText('Site settings: Site e-mails (SMTP on)');

	// a passing test of other, unsaved settings says nothing about the saved ones: the banner stays
	await page.goto('/admin/site?edit=smtp');
	await page.getByLabel('Sender address', { exact: true }).fill('other-sender@example.test');
	await passwordField(page).fill(PEER_USER.password);
	await expect(await runConfigurationTest(page, 'Check connection')).toHaveText('Connection OK');
	await page.goto('/admin/account');
	await expect(page.getByTestId('untested-banner')).toBeVisible();

	// the site's own test, with the stored password, to the admin's address
	await page.goto('/admin/site');
	await section(page, 'SMTP method').getByRole('link', { name: 'Edit SMTP method' }).click();
	await expect(page.getByLabel('Destination address', { exact: true })).toHaveValue(ADMIN_EMAIL);
	const verdict = await runConfigurationTest(page, 'Send test e-mail');
	await expect(verdict).toHaveText('Test e-mail sent successfully');
	const mail = await waitForMessage(sink, (m) => m.envelopeTo.includes(ADMIN_EMAIL));
	// the sender's domain is lower-cased, its local part kept as typed
	expect(mail.envelopeFrom).toBe('Postern@example.test');
	expect(mail.subject).toBe('Postern configuration test');

	for (const path of ['/admin/account', '/admin/site']) {
		await page.goto(path);
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		await expect(page.getByTestId('untested-banner'), path).toHaveCount(0);
	}
	await expect(page.getByTestId('site-last-test')).toContainText('Passed');
	await screenshotBothSchemes(page, 'site-settings-on');

	// a change saved while SMTP is on needs a passing test of its own: the banner is back until then
	const method = section(page, 'SMTP method');
	await method.getByRole('link', { name: 'Edit SMTP method' }).click();
	await method.getByLabel('Timeout (seconds)', { exact: true }).fill('12');
	await method.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByRole('status').filter({ hasText: 'SMTP method saved.' })).toBeVisible();
	await expect(page.getByTestId('untested-banner')).toBeVisible();
	await expect(page.getByTestId('site-last-test')).toHaveText('Never tested');
	await method.getByRole('link', { name: 'Edit SMTP method' }).click();
	await expect(await runConfigurationTest(page, 'Check connection')).toHaveText('Connection OK');
	await page.goto('/admin/site');
	await expect(page.getByTestId('untested-banner')).toHaveCount(0);
});

test('"Forgot password?" e-mails a link: same answer for an unknown user, works once', async ({
	page
}) => {
	await page.goto('/admin/login');
	await page.getByRole('link', { name: 'Forgot password?' }).click();
	await expect(page).toHaveURL(/\/admin\/forgot$/);
	const byMail = section(page, 'Or get a reset link by e-mail');
	const answer =
		'If that account has an e-mail address, a reset link is on its way. It works once, for 30 minutes.';
	const resetMails = () => sink.messages.filter((m) => m.subject === 'Reset your Postern password');

	// the recovery-code path stays
	await expect(page.getByLabel('Recovery code', { exact: true })).toBeVisible();

	await byMail.getByLabel('Username', { exact: true }).fill('no-such-admin');
	await byMail.getByRole('button', { name: 'E-mail me a link' }).click();
	await expect(byMail.getByRole('status')).toHaveText(answer);
	// the answer comes after the mail would have gone: none went out
	expect(resetMails()).toHaveLength(0);

	await page.reload();
	await byMail.getByLabel('Username', { exact: true }).fill(ADMIN.username);
	await byMail.getByRole('button', { name: 'E-mail me a link' }).click();
	await expect(byMail.getByRole('status')).toHaveText(answer);
	const mail = await waitForMessage(
		sink,
		(m) => m.subject === 'Reset your Postern password',
		'the reset link'
	);
	expect(resetMails()).toHaveLength(1);
	expect(mail.envelopeTo).toEqual([ADMIN_EMAIL]);
	const link = mail.text.match(/https?:\/\/\S+\/admin\/reset\?token=\S+/)?.[0];
	expect(link, mail.text).toBeTruthy();

	await page.goto(link!);
	await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
	await expect(page.getByText(`For the console account ${ADMIN.username}.`)).toBeVisible();
	await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
	await page.getByLabel('Confirm new password', { exact: true }).fill(NEW_PASSWORD);
	await page.getByRole('button', { name: 'Set new password' }).click();
	await expect(page).toHaveURL(/\/admin\/login\?notice=password-reset$/);
	password = NEW_PASSWORD;
	await signIn(page, { username: ADMIN.username, password });

	// used once: the same link no longer works
	await page.goto(link!);
	await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
	await expect(page.getByLabel('New password', { exact: true })).toHaveCount(0);
});

test('switching off keeps the settings and stops the e-mail link', async ({ page }) => {
	await signIn(page, { username: ADMIN.username, password });
	await page.goto('/admin/site');
	await page.getByRole('button', { name: 'Switch SMTP configuration off' }).click();
	await expect(page.getByRole('status')).toContainText(
		'SMTP configuration is off. The e-mail settings are kept'
	);
	await expect(page.getByTestId('smtp-state')).toHaveText('Off');
	await expect(page.getByLabel('UI Admin Email')).toHaveCount(0);
	// kept: switching on again shows the saved values
	await page.getByRole('link', { name: 'Switch SMTP configuration on…' }).click();
	await expect(section(page, 'E-mail addresses')).toContainText(ADMIN_EMAIL);
	await expect(section(page, 'SMTP method')).toContainText(`${sink.host}:${sink.port}`);

	await page.goto('/admin/forgot');
	await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'E-mail me a link' })).toHaveCount(0);
});
