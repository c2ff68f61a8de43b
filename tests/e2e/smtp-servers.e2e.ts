/**
 * The SMTP servers in Chromium, against the main built server: an SMTP server created through the form, pointing at a
 * real smtp-server sink started by this spec (AUTH PLAIN and LOGIN); both configuration test modes with verdict
 * and transcript, and the mail in the sink; a wrong password's 535 diagnosis; the stored password never in the
 * page; a changed host without the password typed again refused; delete refused while the site settings use the
 * server. (The empty list of a fresh instance is checked in site-settings.e2e.ts, which has an instance of its
 * own; the main server's list is shared with whatever else runs against it.)
 */
import { expect, test } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { ADMIN } from './support/accounts.js';
import { assertNoFieldErrors, screenshotBothSchemes, signIn } from './support/pages.js';
import {
	PEER_USER,
	openTranscript,
	passwordField,
	passwordForms,
	populateBasicServer,
	rawHtml,
	runConfigurationTest,
	startBasicSink,
	waitForMessage,
	type SmtpPeer
} from './support/smtp.js';

test.describe.configure({ mode: 'serial' });

const run = randomBytes(3).toString('hex');
const NAME = `E2E sink ${run}`;
const SENDER = `postern-${run}@example.test`;
const TO = `inbox-${run}@example.test`;

let sink: SmtpPeer;
/** /admin/smtp-servers/<id> of the server this spec creates. */
let editUrl = '';

test.beforeAll(async () => {
	sink = await startBasicSink();
});
test.afterAll(async () => {
	await sink?.close();
});

test('create a server at a local sink: check connection, send a test e-mail, save', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/smtp-servers');
	await page.getByRole('link', { name: 'Add SMTP server' }).first().click();
	await expect(page.getByRole('heading', { level: 1, name: 'Add SMTP server' })).toBeVisible();
	await populateBasicServer(page, {
		name: NAME,
		host: sink.host,
		port: sink.port,
		username: PEER_USER.username,
		password: PEER_USER.password,
		fromAddress: SENDER
	});

	// Check connection: connects and signs in, sends nothing (the form is not saved yet)
	const verify = await runConfigurationTest(page, 'Check connection', TO);
	await expect(verify).toHaveText('Connection OK');
	await expect(page.getByRole('list', { name: 'Steps' })).toContainText('Authentication');
	const transcript = await openTranscript(page);
	await expect(transcript).toContainText('S: 220');
	await expect(transcript).toContainText(/C: AUTH (PLAIN|LOGIN)/);
	for (const secret of passwordForms(PEER_USER.username, PEER_USER.password))
		await expect(transcript).not.toContainText(secret);
	expect(sink.logins.at(-1)).toEqual({
		method: expect.stringMatching(/^(PLAIN|LOGIN)$/),
		user: PEER_USER.username
	});
	expect(sink.messages.filter((m) => m.envelopeTo.includes(TO))).toHaveLength(0);

	// Send test e-mail: the message arrives in the sink, from the sender, to the destination
	const sent = await runConfigurationTest(page, 'Send test e-mail');
	await expect(sent).toHaveText('Test e-mail sent successfully');
	await expect(page.getByTestId('transcript')).toContainText('C: MAIL FROM:<' + SENDER + '>');
	const mail = await waitForMessage(sink, (m) => m.envelopeTo.includes(TO), `the mail to ${TO}`);
	expect(mail.subject).toBe('Postern configuration test');
	expect(mail.envelopeFrom).toBe(SENDER);
	expect(mail.user).toBe(PEER_USER.username);
	expect(mail.text).toContain(`Server: ${sink.host}:${sink.port}`);

	// the typed password survives the tests, so Save needs nothing more
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page).toHaveURL(/\/admin\/smtp-servers\?saved=/);
	const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NAME }) });
	await expect(row).toContainText(`${sink.host}:${sink.port}`);
	await expect(row).toContainText('Username and password');
	await expect(row).toContainText(SENDER);
	// the passing test of exactly these settings, run before saving, is the saved server's last test
	await expect(row).toContainText(/OK\s/);
	await expect(row).not.toContainText('Never tested');
	await row.getByRole('link', { name: NAME }).click();
	await expect(page).toHaveURL(/\/admin\/smtp-servers\/[0-9a-f-]{36}$/);
	editUrl = new URL(page.url()).pathname;
});

test('a wrong password shows the 535 diagnosis', async ({ page }) => {
	await signIn(page, ADMIN);
	await page.goto(editUrl);
	await passwordField(page).fill('not-the-password');
	const verdict = await runConfigurationTest(page, 'Check connection', TO);
	await expect(verdict).toContainText('Authentication failed');
	const diagnosis = page.getByTestId('diagnosis');
	// diagnose.ts: 535 (5.7.8) at the authentication step
	await expect(diagnosis).toHaveAttribute('data-diagnosis', 'credentials-rejected');
	await expect(diagnosis).toContainText('The server refused the username or password');
	await expect(diagnosis).toContainText('5.7.8');
	await expect(await openTranscript(page)).toContainText('S: 535');
	await screenshotBothSchemes(page, 'smtp-editor-diagnosis');

	// a test of unsaved settings (another password) is not the saved server's last test
	await page.goto('/admin/smtp-servers');
	const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NAME }) });
	await expect(row).toContainText(/OK\s/);
});

test('the stored password never reaches the page, not even through a passing test', async ({
	page,
	context,
	baseURL
}) => {
	await signIn(page, ADMIN);
	await page.goto(editUrl);
	await expect(page.getByLabel('Password set', { exact: true })).toHaveValue('');
	// blank password field: the test signs in with the stored one
	const verdict = await runConfigurationTest(page, 'Check connection', TO);
	await expect(verdict).toHaveText('Connection OK');
	await openTranscript(page);
	const forms = passwordForms(PEER_USER.username, PEER_USER.password);
	const sources = {
		'editor after a test (DOM)': await page.content(),
		'editor (fresh GET)': await rawHtml(context, `${baseURL}${editUrl}`),
		'list (fresh GET)': await rawHtml(context, `${baseURL}/admin/smtp-servers`)
	};
	for (const [where, html] of Object.entries(sources)) {
		expect(html, where).toContain(SENDER); // the right page
		for (const secret of forms) expect(html, where).not.toContain(secret);
	}
});

test('changing the server without typing the password again is refused', async ({ page }) => {
	await signIn(page, ADMIN);
	await page.goto(editUrl);
	await page.getByLabel('Server', { exact: true }).fill('localhost');
	const password = passwordField(page);
	// the form says so before saving …
	await expect(password).toHaveAccessibleDescription(/type the secret again/);
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	// … and the server refuses
	await expect(password).toHaveAttribute('aria-invalid', 'true');
	await expect(password).toHaveAccessibleDescription(
		/You changed the server: type the password again\./
	);
	await expect(page).toHaveURL(new RegExp(`${editUrl}$`));
	await page.goto(editUrl);
	await expect(page.getByLabel('Server', { exact: true })).toHaveValue(sink.host);

	// typing it again is accepted
	await page.getByLabel('Server', { exact: true }).fill('localhost');
	await passwordField(page).fill(PEER_USER.password);
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page).toHaveURL(/\/admin\/smtp-servers\?saved=/);
	await assertNoFieldErrors(page);
	const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NAME }) });
	await expect(row).toContainText(`localhost:${sink.port}`);
});

test('turning TLS verification off without typing the password again is refused, for a test and a save', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await page.goto(editUrl);
	await page.getByLabel('Verify TLS certificate').uncheck();
	const password = passwordField(page);
	await expect(password).toHaveAccessibleDescription(/type the secret again/);
	const retype = /You changed the TLS verification setting: type the password again\./;

	// a test would carry the stored password over a connection that no longer checks who answers
	const messagesBefore = sink.messages.length;
	const loginsBefore = sink.logins.length;
	const answered = page.waitForResponse(
		(r) => r.request().method() === 'POST' && /[?&]\/test\b/.test(r.url())
	);
	await page.getByRole('button', { name: 'Check connection' }).click();
	await answered;
	await expect(password).toHaveAttribute('aria-invalid', 'true');
	await expect(password).toHaveAccessibleDescription(retype);
	await expect(page.locator('#test-verdict')).toHaveCount(0);
	expect(sink.logins).toHaveLength(loginsBefore);
	expect(sink.messages).toHaveLength(messagesBefore);

	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(password).toHaveAttribute('aria-invalid', 'true');
	await expect(password).toHaveAccessibleDescription(retype);
	await page.goto(editUrl);
	await expect(page.getByLabel('Verify TLS certificate')).toBeChecked();
});

test('delete is refused while the site settings use a server, and says by what', async ({
	page
}) => {
	await signIn(page, ADMIN);
	// Give the site settings an SMTP method (saved, not switched on: nothing else on this server changes).
	await page.goto('/admin/site?enable=1');
	const method = page.getByRole('region', { name: 'SMTP method' });
	await populateBasicServer(method, {
		host: sink.host,
		port: sink.port,
		username: PEER_USER.username,
		password: PEER_USER.password,
		fromAddress: `site-${run}@example.test`
	});
	await method.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByRole('status')).toHaveText('SMTP method saved.');
	await expect(page.getByTestId('smtp-state')).toHaveText('Off');

	await page.goto('/admin/smtp-servers');
	const siteRow = page
		.getByRole('row')
		.filter({ hasText: 'Site e-mail (Site settings)' })
		.filter({ hasText: `site-${run}@example.test` });
	await expect(siteRow).toContainText('Site settings: Site e-mails (SMTP switched off)');
	await siteRow.getByRole('button', { name: 'Delete Site e-mail (Site settings)' }).click();
	await expect(page.getByRole('alert')).toHaveText(
		'“Site e-mail (Site settings)” is in use by Site settings: Site e-mails (SMTP switched off). Choose another server there first.'
	);
	await expect(siteRow).toBeVisible();

	// a server nothing uses goes
	await page.getByRole('button', { name: `Delete ${NAME}` }).click();
	await expect(page.getByRole('status')).toHaveText('SMTP server deleted.');
	await expect(page.getByRole('link', { name: NAME, exact: true })).toHaveCount(0);
	await expect(siteRow).toBeVisible();
});
