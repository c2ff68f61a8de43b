/**
 * Mock mode in Chromium: `npm run dev:mock` (vite dev with POSTERN_MOCK=true, started by this spec; see
 * support/dev-server.ts for where it runs). Sign in with the credentials the login page prints; the seeded
 * "Microsoft 365 (mock tenant)" sends a test mail (token from the mocked Microsoft identity platform, XOAUTH2
 * into the embedded sink) that shows up live in /dev/mailbox and is found by its subject; the toolbar switches
 * an SMTP fault (535 5.7.139) and a Microsoft one (AADSTS7000215) and each shows its diagnosis.
 *
 * This is also the Microsoft method's end-to-end test for the SMTP servers and the site settings (the built
 * server cannot be pointed at the Microsoft mock from a spec).
 */
import { randomBytes } from 'node:crypto';
import type { Page, Route } from '@playwright/test';
import { testWithMockDevServer, expect } from './support/dev-server.js';
import { assertSignedIn, populateLogin, screenshotBothSchemes } from './support/pages.js';
import { runConfigurationTest } from './support/smtp.js';

const test = testWithMockDevServer;
// the dev server compiles each page on its first visit
test.describe.configure({ mode: 'serial', timeout: 120_000 });

const MICROSOFT = 'Microsoft 365 (mock tenant)';
const SUBJECT = 'Postern configuration test';
const TO = `designer-${randomBytes(3).toString('hex')}@postern.test`;

let admin = { username: '', password: '' };

async function signInMock(page: Page) {
	await page.goto('/admin/login');
	await populateLogin(page, admin);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await assertSignedIn(page, admin);
}

async function openMicrosoftServer(page: Page) {
	await page.goto('/admin/smtp-servers');
	await page.getByRole('link', { name: MICROSOFT, exact: true }).click();
	await expect(page.getByRole('heading', { level: 1, name: MICROSOFT })).toBeVisible();
}

/** Chooses a scenario in the mock-mode toolbar and applies it; the page comes back where it was. */
async function applyFault(page: Page, label: string) {
	const where = page.url();
	const toolbar = page.getByTestId('mock-banner');
	await toolbar.getByLabel('Fault scenario').selectOption({ label });
	await toolbar.getByRole('button', { name: 'Apply fault' }).click();
	await expect(page).toHaveURL(where);
	await expect(toolbar.getByLabel('Fault scenario').locator('option:checked')).toHaveText(label);
}

test('the login page prints the mock accounts, and they sign in', async ({ page, devServer }) => {
	await page.goto('/admin/login');
	await expect(page.getByTestId('mock-banner')).toContainText('Mock mode');
	const printed = await page.getByTestId('mock-credentials').innerText();
	const match = printed.match(/UI Admin: (\S+) \/ (\S+)/);
	expect(match, printed).not.toBeNull();
	admin = { username: match![1], password: match![2] };
	expect(admin).toEqual({ username: 'admin', password: 'Mock-Admin-Postern-2026' });
	// the terminal says the same, as soon as the server was ready (before any request)
	expect(devServer.output()).toMatch(/UI Admin: +admin \/ Mock-Admin-Postern-2026/);
	expect(devServer.printedBeforeAnyRequest).toBe(true);
	await populateLogin(page, admin);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await assertSignedIn(page, admin);
	await expect(page.getByTestId('mock-banner')).toBeVisible();
	// a healthy console to start from: the site's SMTP server has passed a test
	await expect(page.getByTestId('untested-banner')).toHaveCount(0);
});

test('the "never tested" scenario brings the site e-mail warning back; "Everything works" heals it', async ({
	page
}) => {
	await signInMock(page);
	await page.goto('/admin/site');
	await applyFault(page, 'Site: Site e-mail on, never tested');
	await expect(page.getByTestId('untested-banner')).toBeVisible();
	await applyFault(page, 'SMTP: Everything works');
	await expect(page.getByTestId('untested-banner')).toHaveCount(0);
});

test('Microsoft 365 (mock tenant) sends a test mail; /dev/mailbox shows it live and finds it', async ({
	page,
	context
}) => {
	await signInMock(page);
	await page.goto('/admin/smtp-servers');
	for (const seeded of [MICROSOFT, 'Local relay (plain)'])
		await expect(page.getByRole('link', { name: seeded, exact: true })).toBeVisible();
	// the seeded client secret expires in 20 days: the list warns
	await expect(
		page.getByRole('row').filter({ hasText: MICROSOFT }).getByTestId('secret-badge')
	).toContainText('Client secret expires');

	const mailbox = await context.newPage();
	await mailbox.goto('/dev/mailbox');
	await expect(mailbox.getByRole('heading', { name: 'Mailbox' })).toBeVisible();
	const arrived = mailbox.getByRole('navigation', { name: 'Messages' }).getByRole('link', {
		name: new RegExp(`${SUBJECT}\\s+To ${TO}`)
	});
	await expect(arrived).toHaveCount(0);

	await openMicrosoftServer(page);
	await expect(page.getByRole('radio', { name: 'Microsoft 365 OAuth2' })).toBeChecked();
	const verdict = await runConfigurationTest(page, 'Send test e-mail', TO);
	await expect(verdict).toHaveText('Test e-mail sent successfully');
	await expect(page.getByRole('list', { name: 'Steps' })).toContainText('Microsoft token');

	// live: the open mailbox lists it without a reload
	await expect(arrived).toBeVisible();

	await mailbox.getByRole('searchbox', { name: 'Search mail' }).fill(SUBJECT);
	await mailbox.getByRole('button', { name: 'Search' }).click();
	await expect(mailbox).toHaveURL(/\?q=Postern\+configuration\+test/);
	await arrived.click();
	const message = mailbox.getByRole('region', { name: 'Message' });
	await expect(mailbox.getByTestId('mail-subject')).toHaveText(SUBJECT);
	await expect(message).toContainText(TO);
	// signed in over XOAUTH2 as the seeded mailbox
	await expect(message).toContainText(/Login\s*alerts@postern\.test/);
	await expect(message.getByTitle('HTML body')).toBeVisible();
	await message.getByRole('tab', { name: 'Text' }).click();
	await expect(mailbox.getByTestId('mail-text')).toContainText(
		'Authentication: Microsoft 365 OAuth2'
	);
	await message.getByRole('tab', { name: 'Source' }).click();
	await expect(message.getByRole('tabpanel')).toContainText(`Subject: ${SUBJECT}`);
	await message.getByRole('tab', { name: 'Headers' }).click();
	await expect(message.getByRole('rowheader', { name: 'message-id' })).toBeVisible();
	await screenshotBothSchemes(mailbox, 'dev-mailbox');

	await mailbox.getByRole('searchbox', { name: 'Search mail' }).fill('no-such-subject-anywhere');
	await mailbox.getByRole('button', { name: 'Search' }).click();
	await expect(mailbox.getByText('No message matches.')).toBeVisible();

	await mailbox.getByRole('button', { name: 'Clear' }).click();
	await expect(
		mailbox.getByText(/^Everything sent to the dev mail sink .* 0 messages\./)
	).toBeVisible();
});

test('site settings, Microsoft Modern Authentication: smtp.office365.com:587 (the sink here), mocked token, mail in /dev/mailbox', async ({
	page,
	context
}) => {
	const siteTo = `site-${TO}`;
	await signInMock(page);
	await page.goto('/admin/site');
	const method = page.getByRole('region', { name: 'SMTP method', exact: true });
	await method.getByRole('link', { name: 'Edit SMTP method' }).click();
	await method.getByRole('radio', { name: 'Microsoft 365 OAuth2' }).check();
	// Microsoft Modern Authentication always uses Exchange Online's endpoint: server and port are fixed
	await expect(method.getByLabel('Server', { exact: true })).toHaveValue('smtp.office365.com');
	await expect(method.getByLabel('Port', { exact: true })).toHaveValue('587');
	// each cloud has its own Exchange Online host
	await method.getByLabel('Cloud', { exact: true }).selectOption('usgov');
	await expect(method.getByLabel('Server', { exact: true })).toHaveValue('smtp.office365.us');
	await method.getByLabel('Cloud', { exact: true }).selectOption('global');
	await expect(method.getByLabel('Server', { exact: true })).toHaveValue('smtp.office365.com');
	await method.getByLabel('Tenant ID', { exact: true }).fill('contoso.onmicrosoft.com');
	await method
		.getByLabel('Client ID', { exact: true })
		.fill('0b5c4a31-7d1e-4c47-9e0c-2f3a8f6d1e42');
	await method.getByLabel('Client secret', { exact: true }).fill('mock-site-client-secret');
	await method.getByLabel('Mailbox', { exact: true }).fill('notifications@postern.test');
	await method.getByLabel('Sender address', { exact: true }).fill('notifications@postern.test');

	// read-only in the browser, and fixed on the server too: a request rewritten on its way to point
	// elsewhere is still tested (and later saved) against the cloud's endpoint
	let tampered = 0;
	const tamper = (route: Route) => {
		const body = route.request().postData() ?? '';
		if (body.includes('smtp.office365.com')) tampered++;
		return route.continue({
			postData: body.replaceAll('smtp.office365.com', 'relay.attacker.test')
		});
	};
	await page.route(/[?&]\/smtp(Test|Save)\b/, tamper);
	const verdict = await runConfigurationTest(page, 'Send test e-mail', siteTo);
	await expect(verdict).toHaveText('Test e-mail sent successfully');
	const steps = page.getByRole('list', { name: 'Steps' });
	await expect(steps).toContainText('Microsoft token');
	await page.getByText(/^SMTP transcript \(\d+ lines, secrets redacted\)$/).click();
	const transcript = page.getByTestId('transcript');
	await expect(transcript).toContainText(
		'Mock mode: smtp.office365.com:587 is answered by the embedded mail sink'
	);
	await expect(transcript).not.toContainText('mock-site-client-secret');

	// another server for the site's mail (its reset links among it): the admin's password first
	await method.getByRole('button', { name: 'Save', exact: true }).click();
	const current = method.getByLabel('Your current password', { exact: true });
	await expect(current).toHaveAttribute('aria-invalid', 'true');
	await current.fill(admin.password);
	await method.getByLabel('Client secret', { exact: true }).fill('mock-site-client-secret');
	await method.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByRole('status').filter({ hasText: 'SMTP method saved.' })).toBeVisible();
	await expect(method).toContainText('Microsoft Modern Authentication (OAuth2)');
	await expect(method).toContainText('smtp.office365.com:587 · STARTTLS');
	await expect(method).not.toContainText('relay.attacker.test');
	await page.unroute(/[?&]\/smtp(Test|Save)\b/, tamper);
	expect(tampered).toBeGreaterThanOrEqual(3);
	await expect(method).toContainText('notifications@postern.test');

	const mailbox = await context.newPage();
	await mailbox.goto(`/dev/mailbox?q=${encodeURIComponent(siteTo)}`);
	await mailbox
		.getByRole('navigation', { name: 'Messages' })
		.getByRole('link', { name: new RegExp(`${SUBJECT}\\s+To ${siteTo}`) })
		.click();
	// signed in over XOAUTH2 as the mailbox typed here, with a token the mocked tenant issued
	await expect(mailbox.getByRole('region', { name: 'Message' })).toContainText(
		/Login\s*notifications@postern\.test/
	);
	await mailbox.close();
});

test('toolbar fault "535 5.7.139": the test shows the SMTP AUTH disabled diagnosis', async ({
	page
}) => {
	await signInMock(page);
	await openMicrosoftServer(page);
	await applyFault(page, 'SMTP: 535 5.7.139 SMTP AUTH disabled');
	const verdict = await runConfigurationTest(page, 'Check connection', TO);
	await expect(verdict).toContainText('failed');
	const diagnosis = page.getByTestId('diagnosis');
	await expect(diagnosis).toHaveAttribute('data-diagnosis', 'smtp-auth-disabled');
	await expect(diagnosis).toContainText('-SmtpClientAuthenticationDisabled $false');
});

test('toolbar fault AADSTS7000215: the test shows the secret-ID diagnosis; "Everything works" heals it', async ({
	page
}) => {
	await signInMock(page);
	await openMicrosoftServer(page);
	await applyFault(page, 'Microsoft: AADSTS7000215 invalid client secret (secret ID pasted)');
	const verdict = await runConfigurationTest(page, 'Check connection', TO);
	await expect(verdict).toContainText('failed');
	await expect(page.getByTestId('diagnosis')).toHaveAttribute(
		'data-diagnosis',
		'aadsts-invalid-client-secret'
	);

	await applyFault(page, 'SMTP: Everything works');
	await expect(await runConfigurationTest(page, 'Check connection', TO)).toHaveText(
		'Connection OK'
	);
});

const GRAPH = 'Microsoft Graph (mock tenant)';

test('Microsoft Graph (mock tenant): no SMTP fields, the test e-mail is accepted by Graph and lands in /dev/mailbox; the 403 fault shows the RBAC PowerShell', async ({
	page,
	context
}) => {
	await signInMock(page);
	await page.goto('/admin/smtp-servers');
	await page.getByRole('link', { name: GRAPH, exact: true }).click();
	await expect(page.getByRole('heading', { level: 1, name: GRAPH })).toBeVisible();
	await expect(
		page.getByRole('radio', { name: 'Microsoft Graph (sendMail, no SMTP)' })
	).toBeChecked();
	// Graph speaks HTTPS: no SMTP server, port or connection type to fill in; the endpoint is shown
	await expect(page.getByLabel('Server', { exact: true })).toHaveCount(0);
	await expect(page.getByLabel('Connection type', { exact: true })).toHaveCount(0);
	await expect(page.getByLabel('Microsoft Graph endpoint', { exact: true })).toHaveValue(
		'https://graph.microsoft.com/v1.0/users/noreply%40postern.test/sendMail'
	);
	await expect(page.getByLabel('Scope', { exact: true })).toHaveValue(
		'https://graph.microsoft.com/.default'
	);
	await expect(page.getByText('How to let Postern send through Microsoft Graph')).toBeVisible();
	await screenshotBothSchemes(page, 'smtp-server-graph');

	const to = `graph-${randomBytes(3).toString('hex')}@postern.test`;
	const verdict = await runConfigurationTest(page, 'Send test e-mail', to);
	await expect(verdict).toHaveText('Test e-mail accepted by Microsoft Graph');
	const steps = page.getByRole('list', { name: 'Steps' });
	await expect(steps).toContainText('Microsoft token (Graph)');
	await expect(steps).toContainText('Token check (Microsoft Graph, Mail.Send)');
	await expect(steps).toContainText('202 Accepted by Microsoft Graph');

	const mailbox = await context.newPage();
	await mailbox.goto('/dev/mailbox');
	await expect(
		mailbox.getByRole('navigation', { name: 'Messages' }).getByRole('link', {
			name: new RegExp(`${SUBJECT}\\s+To ${to}`)
		})
	).toBeVisible();
	await mailbox.close();

	await applyFault(
		page,
		'Microsoft: Graph: 403 ErrorAccessDenied (no Mail.Send, or outside the RBAC scope)'
	);
	await expect(await runConfigurationTest(page, 'Send test e-mail', to)).toContainText('failed');
	const diagnosis = page.getByTestId('diagnosis');
	await expect(diagnosis).toHaveAttribute('data-diagnosis', 'graph-access-denied');
	await expect(diagnosis).toContainText("-Role 'Application Mail.Send'");
	await expect(diagnosis).toContainText('Test-ServicePrincipalAuthorization');
	await applyFault(page, 'SMTP: Everything works');
});

test('an OTP generator’s fallback SMTP server: chosen from the other servers, saved, shown again', async ({
	page
}) => {
	await signInMock(page);
	await page.goto('/admin/otp-generators');
	await page.getByRole('link', { name: 'Codes by e-mail', exact: true }).click();
	const server = page.getByLabel('SMTP server', { exact: true });
	const fallback = page.getByLabel('Fallback SMTP server', { exact: true });
	await expect(fallback).toHaveValue('');
	// the generator's own server is not offered as its fallback
	const own = await server.locator('option:checked').textContent();
	await expect(fallback.locator('option', { hasText: own ?? '' })).toHaveCount(0);
	await fallback.selectOption({ label: 'Corporate relay (STARTTLS, login)' });
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/otp-generators\?saved=/);
	await page.getByRole('link', { name: 'Codes by e-mail', exact: true }).click();
	await expect(fallback.locator('option:checked')).toHaveText('Corporate relay (STARTTLS, login)');
	// the fallback is one of that server's uses
	await page.goto('/admin/smtp-servers');
	await expect(
		page.getByRole('row').filter({ hasText: 'Corporate relay (STARTTLS, login)' })
	).toContainText('as fallback');
});

/** The seeded users' password (DEMO_PASSWORD of src/lib/server/identity/seed.ts), the mock LDAP's alice and bob too. */
const DEMO_PASSWORD = 'Postern demo pass 2030!';
const LDAP_DOMAIN = 'Example LDAP (mock)';

/** "Test connection" on the open domain for `username`; returns the verdict. */
async function testLdapConnection(page: Page, username: string) {
	const panel = page.getByRole('complementary', { name: 'Test connection' });
	await panel.getByLabel('Username to look up', { exact: true }).fill(username);
	await panel.getByRole('button', { name: 'Test connection' }).click();
	return panel.locator('#ldap-verdict');
}

test('Example LDAP (mock): the connection test finds alice’s mail, the "bind refused" fault is diagnosed, alice signs in with an e-mailed code', async ({
	page,
	browser,
	baseURL
}) => {
	await signInMock(page);
	await page.goto('/admin/domains');
	await page.getByRole('link', { name: LDAP_DOMAIN, exact: true }).click();
	await expect(page.getByRole('heading', { level: 1, name: LDAP_DOMAIN })).toBeVisible();
	await expect(page.getByLabel('URL', { exact: true })).toHaveValue('ldap://ldap.mock.test:389');

	// the seeded bind password is kept (blank field) and used by the test
	await expect(await testLdapConnection(page, 'alice')).toContainText(
		'Connection OK: the user was found.'
	);
	await expect(page.getByTestId('email-attribute')).toContainText(
		'E-mail attribute mail is present: alice@example.test'
	);
	await expect(
		page.getByRole('definition').filter({ hasText: 'Alice Archer' }).first()
	).toBeVisible();
	await expect(await testLdapConnection(page, 'bob')).toContainText('Connection OK');
	await expect(page.getByTestId('email-attribute')).toContainText('missing on this user');

	await applyFault(page, 'LDAP: Service account bind refused (49 invalid credentials)');
	await expect(await testLdapConnection(page, 'alice')).toContainText(
		'Test failed: Bind DN or password wrong'
	);
	const diagnosis = page.getByTestId('diagnosis');
	await expect(diagnosis).toHaveAttribute('data-diagnosis', 'bind-invalid-credentials');
	await expect(diagnosis).toContainText('(49)');
	await applyFault(page, 'SMTP: Everything works');
	await expect(await testLdapConnection(page, 'alice')).toContainText('Connection OK');

	// the user side, in a browser of its own: password against the mock directory, then the e-mailed code
	const userContext = await browser.newContext({ baseURL });
	const user = await userContext.newPage();
	await user.goto('/login');
	await user.getByLabel('Domain', { exact: true }).selectOption({ label: LDAP_DOMAIN });
	await user.getByLabel('Username', { exact: true }).fill('alice');
	await user.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
	await user.getByRole('button', { name: 'Sign in' }).click();
	await expect(user).toHaveURL(/\/login\/otp$/);

	await page.goto(`/dev/mailbox?q=${encodeURIComponent('alice@example.test')}`);
	await page
		.getByRole('navigation', { name: 'Messages' })
		.getByRole('link', { name: /sign-in code\s+To alice@example\.test/ })
		.first()
		.click();
	// the tabs work once the page is hydrated (its first visit compiles it)
	const textTab = page.getByRole('region', { name: 'Message' }).getByRole('tab', { name: 'Text' });
	await expect(async () => {
		await textTab.click();
		await expect(page.getByTestId('mail-text')).toBeVisible({ timeout: 1_000 });
	}).toPass();
	const text = await page.getByTestId('mail-text').innerText();
	const code = /sign-in code for .* is: (\d{6,8})/.exec(text)?.[1];
	expect(code, text).toBeDefined();

	await user.getByLabel('Code', { exact: true }).fill(code!);
	await user.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(user).toHaveURL(/\/portal$/);
	// the portal names her by the directory's display name
	await expect(user.getByTestId('portal-user')).toContainText(/Alice Archer|alice/);
	await userContext.close();
});
