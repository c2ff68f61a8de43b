/**
 * Identity administration, admin side, on the main server: an application; an SMTP server on a real smtp-server sink and an
 * "OTP – e-mail" generator whose configuration test mails a sample code there; a TOTP generator; a local test
 * domain using it; a local user (add, edit, disable and enable); the user enrolls an authenticator app at
 * /login, the admin resets their TOTP and the next sign-in enrolls again; Reset TOTP by username; bad input
 * on every form gives field-level errors and saves nothing. Names carry a run tag: the main server is shared.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { generate } from 'otplib';
import { ADMIN } from './support/accounts.js';
import {
	assertFieldError,
	assertNoSidewaysScroll,
	screenshotBothSchemes,
	seriousA11yViolations,
	signIn
} from './support/pages.js';
import { startSmtpPeer, type SmtpPeer } from '../../src/lib/server/testing/smtp-peers.js';

test.describe.configure({ mode: 'serial' });

const run = Date.now().toString(36).slice(-6);
const NAMES = {
	application: `Wiki ${run}`,
	server: `OTP sink ${run}`,
	emailGenerator: `Codes ${run}`,
	totpGenerator: `Authenticator ${run}`,
	domain: `Sandbox ${run}`
};
const USER = {
	username: `ada.${run}`,
	displayName: 'Ada Lovelace',
	email: `ada.${run}@postern.test`,
	password: 'Harbor-Quartz-Meadow-73'
};
const SENDER = 'noreply@postern.test';

let sink: SmtpPeer;
let domainId = '';

test.beforeAll(async () => {
	sink = await startSmtpPeer({ security: 'plain', auth: 'none' });
});
test.afterAll(async () => {
	await sink?.close();
});

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

test('applications: bad URL refused, then added and listed', async ({ page }) => {
	await signIn(page, ADMIN);
	await page.getByRole('link', { name: 'Applications' }).click();
	await page.getByRole('link', { name: 'Add application' }).first().click();
	await field(page, 'Name').fill(NAMES.application);
	await field(page, 'URL').fill('javascript:alert(1)');
	await page.getByRole('button', { name: 'Save' }).click();
	await assertFieldError(page, 'URL', 'Enter an address starting with https:// or http://.');
	await expect(page).toHaveURL(/\/admin\/applications\/new$/);

	await field(page, 'URL').fill('https://wiki.postern.test/');
	await field(page, 'Description').fill('Team documentation.');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/applications\?saved=/);
	await expect(page.getByRole('status')).toHaveText(`“${NAMES.application}” saved.`);
	await expect(row(page, NAMES.application)).toContainText('https://wiki.postern.test/');
	await expect(row(page, NAMES.application)).toContainText('Team documentation.');
});

test('e-mail OTP generator: bad input, configuration test through the sink, save', async ({
	page
}) => {
	await signIn(page, ADMIN);
	// the SMTP server the codes go through: the sink, unsecured, no login
	await page.goto('/admin/smtp-servers/new');
	await field(page, 'Display name').fill(NAMES.server);
	await field(page, 'Server').fill(sink.host);
	await field(page, 'Connection type').selectOption({ label: 'Unsecured' });
	await field(page, 'Port').fill(String(sink.port));
	await field(page, 'Sender address').fill(SENDER);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/smtp-servers(\?|$)/);

	// the vendor guide's navigation: OTP Token Generators under Access Policies, identity providers under
	// Identity Providers
	const nav = page.getByRole('navigation', { name: 'Console' });
	await expect(
		nav
			.getByRole('list', { name: 'Identity Providers' })
			.getByRole('link', { name: 'Identity providers' })
	).toBeVisible();
	await expect(
		nav.getByRole('list', { name: 'Configurations' }).getByRole('link', { name: 'SMTP servers' })
	).toBeVisible();
	await nav
		.getByRole('list', { name: 'Access Policies' })
		.getByRole('link', { name: 'OTP Token Generators' })
		.click();
	await page.getByRole('link', { name: 'Add OTP generator' }).first().click();
	await expect(field(page, 'OTP Type')).toHaveValue('email');
	// e-mail codes are offered, with what current guidance says of them
	await expect(page.getByTestId('email-otp-note')).toContainText('NIST SP 800-63B-4');
	await expect(page.getByTestId('email-otp-note')).toContainText('Prefer an authenticator app');
	await field(page, 'Display name').fill(NAMES.emailGenerator);
	await field(page, 'SMTP server').selectOption({ label: NAMES.server });
	// choosing the server fills an empty Sender with the server's own
	await expect(field(page, 'Sender')).toHaveValue(SENDER);
	await expect(field(page, 'Validity (minutes)')).toHaveValue('5');

	await field(page, 'Code length').fill('9');
	await field(page, 'Validity (minutes)').fill('11');
	await field(page, 'Sender').fill('not an address');
	await page.getByRole('button', { name: 'Save' }).click();
	await assertFieldError(page, 'Code length', 'Codes have 6 to 8 digits.');
	await assertFieldError(page, 'Validity (minutes)', 'A code is valid for 1 to 10 minutes.');
	await assertFieldError(page, 'Sender', 'Sender is not an e-mail address.');
	await expect(page).toHaveURL(/\/admin\/otp-generators\/new$/);

	await field(page, 'Code length').fill('8');
	await field(page, 'Validity (minutes)').fill('5');
	await field(page, 'Sender').fill(SENDER);
	// the configuration test, before saving: a sample code mailed to the sink
	const to = `otp-test.${run}@postern.test`;
	await field(page, 'Destination address').fill(to);
	await page.getByRole('button', { name: 'Configuration test' }).click();
	await expect(page.getByText('Sent successfully.')).toBeVisible({ timeout: 20_000 });
	const message = sink.messages.find((m) => m.envelopeTo.includes(to));
	expect(message?.subject).toBe(`Test of the OTP generator "${NAMES.emailGenerator}"`);
	expect(message?.envelopeFrom).toBe(SENDER);
	expect(message?.text).toMatch(/looks like this: \d{8}\b/);

	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/otp-generators\?saved=/);
	await expect(row(page, NAMES.emailGenerator)).toContainText('OTP – e-mail');
	await expect(row(page, NAMES.emailGenerator)).toContainText('8 digits · valid 5 min');
	await expect(row(page, NAMES.emailGenerator)).toContainText(NAMES.server);

	// the SMTP server is now in use: its delete is refused
	await page.goto('/admin/smtp-servers');
	await page.getByRole('button', { name: `Delete ${NAMES.server}` }).click();
	await expect(page.getByRole('alert')).toContainText(NAMES.emailGenerator);
});

test('TOTP generator and a local test domain using it', async ({ page }) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/otp-generators/new');
	await field(page, 'OTP Type').selectOption('totp');
	await expect(page.getByTestId('email-otp-note')).toHaveCount(0);
	await field(page, 'Display name').fill(NAMES.totpGenerator);
	await field(page, 'Issuer name').fill('Postern e2e');
	await expect(page.getByLabel('Display a QR code on the user portal')).toBeChecked();
	const sendKeys = page.getByLabel('Send generated keys by e-mail');
	await expect(sendKeys).not.toBeChecked();
	await sendKeys.check();
	await expect(page.getByRole('note').filter({ hasText: 'only second factor' })).toBeVisible();
	await sendKeys.uncheck();
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/otp-generators\?saved=/);
	await expect(row(page, NAMES.totpGenerator)).toContainText('SHA-1 · 6 digits · 30 s');

	await page.getByRole('link', { name: 'Identity providers' }).click();
	await expect(page).toHaveURL(/\/admin\/domains$/);
	await page.getByRole('link', { name: 'Add identity provider' }).first().click();
	await expect(page).toHaveURL(/\/admin\/domains\/new$/);
	await expect(page.getByRole('radio', { name: 'Local' })).toBeChecked();
	await expect(field(page, 'E-mail attribute')).toHaveValue('email');
	// LDAP proposes `mail`, back to Local gives `email` again
	await page.getByRole('radio', { name: 'LDAP' }).check();
	await expect(field(page, 'E-mail attribute')).toHaveValue('mail');
	await page.getByRole('radio', { name: 'Local' }).check();
	await expect(field(page, 'E-mail attribute')).toHaveValue('email');

	await field(page, 'Name').fill(NAMES.domain);
	await page.getByLabel('Test domain').check();
	await field(page, 'Authentication tokens').selectOption({ label: NAMES.emailGenerator });
	await expect(page.getByTestId('email-otp-note')).toContainText('weakest second factor');
	await field(page, 'Authentication tokens').selectOption({ label: NAMES.totpGenerator });
	await expect(page.getByTestId('email-otp-note')).toHaveCount(0);
	await field(page, 'E-mail attribute').fill('e mail');
	await page.getByRole('button', { name: 'Save' }).click();
	await assertFieldError(
		page,
		'E-mail attribute',
		'An attribute name has letters, digits and hyphens, starting with a letter.'
	);
	await field(page, 'E-mail attribute').fill('email');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/domains\?saved=/);

	// test domains first, with the advice to try settings there
	await expect(page.getByRole('note')).toContainText('try new settings on a test domain');
	const domainRow = row(page, NAMES.domain);
	await expect(domainRow).toContainText('Test domain');
	await expect(domainRow).toContainText(NAMES.totpGenerator);
	await expect(page.locator('tbody tr').first()).toContainText('Test domain');
	const href = await domainRow
		.getByRole('link', { name: NAMES.domain, exact: true })
		.getAttribute('href');
	domainId = href!.split('/').pop()!;
});

test('local user: bad input, add, edit, disable and enable', async ({ page }) => {
	await signIn(page, ADMIN);
	await page.goto(`/admin/users?domain=${domainId}`);
	await expect(page.getByRole('heading', { name: `No user in ${NAMES.domain} yet` })).toBeVisible();
	await page.getByRole('link', { name: 'Add user' }).first().click();
	// the list has a Username field too (reset TOTP): wait for the form before filling
	await expect(page.getByRole('heading', { name: 'Add user' })).toBeVisible();

	await field(page, 'Username').fill('two words');
	await field(page, 'Email').fill('not-an-email');
	await field(page, 'Password').fill('short');
	await page.getByRole('button', { name: 'Add user' }).click();
	await assertFieldError(page, 'Username', 'Username may use letters, digits and . _ @ - only.');
	await assertFieldError(page, 'Email', 'Email is not an e-mail address.');
	await assertFieldError(page, 'Password', 'Use at least 12 characters.');

	// the server's common-password check
	await field(page, 'Username').fill(USER.username);
	await field(page, 'Display name').fill(USER.displayName);
	await field(page, 'Email').fill(USER.email);
	await field(page, 'Password').fill('password1234');
	await page.getByRole('button', { name: 'Add user' }).click();
	await expect(field(page, 'Password')).toHaveAttribute('aria-invalid', 'true');
	await expect(page).toHaveURL(/\/admin\/users\/new\?domain=/);

	await field(page, 'Password').fill(USER.password);
	await page.getByRole('button', { name: 'Add user' }).click();
	await expect(page.getByRole('status')).toHaveText(`User ${USER.username} saved.`);
	const userRow = row(page, USER.username);
	await expect(userRow).toContainText(USER.email);
	await expect(userRow).toContainText('Active');
	await expect(userRow).toContainText('Not enrolled');

	// the same username again is refused
	await page.getByRole('link', { name: 'Add user' }).first().click();
	await expect(page.getByRole('heading', { name: 'Add user' })).toBeVisible();
	await field(page, 'Username').fill(USER.username);
	await field(page, 'Password').fill(USER.password + '-2');
	await page.getByRole('button', { name: 'Add user' }).click();
	await assertFieldError(page, 'Username', 'This domain already has a user with this username.');

	await page.goto(`/admin/users?domain=${domainId}`);
	await row(page, USER.username)
		.getByRole('link', { name: `Edit ${USER.username}` })
		.click();
	await field(page, 'Email').fill('bad@');
	await page.getByRole('button', { name: 'Save' }).click();
	await assertFieldError(page, 'Email', 'Email is not an e-mail address.');
	await field(page, 'Email').fill(USER.email);
	await field(page, 'Display name').fill('Ada King');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(row(page, USER.username)).toContainText('Ada King');

	await page.getByRole('button', { name: `Disable ${USER.username}` }).click();
	await expect(page.getByRole('status')).toContainText(`${USER.username} disabled`);
	await expect(row(page, USER.username)).toContainText('Disabled');
	await page.getByRole('button', { name: `Enable ${USER.username}` }).click();
	await expect(row(page, USER.username)).toContainText('Active');

	// the list's search: the start of a username, any case; no match says so and links back to all
	const search = page.getByRole('searchbox', { name: 'Search' });
	await search.fill(USER.username.slice(0, 4).toUpperCase());
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	await expect(page).toHaveURL(/[?&]q=/);
	await expect(row(page, USER.username)).toBeVisible();
	await search.fill(`zz-nobody-${run}`);
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	await expect(
		page.getByText('has a username, e-mail or display name starting with')
	).toBeVisible();
	await page.getByRole('link', { name: 'Show all users' }).click();
	await expect(row(page, USER.username)).toBeVisible();
});

/** Signs the user in at /login in a context of their own and enrolls the authenticator app. */
async function enrollAsUser(browser: Browser, baseURL: string | undefined) {
	const context = await browser.newContext({ baseURL });
	const page = await context.newPage();
	await page.goto('/login');
	const domain = page.getByLabel('Domain', { exact: true });
	if (await domain.count()) await domain.selectOption(domainId);
	await field(page, 'Username').fill(USER.username);
	await field(page, 'Password').fill(USER.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(/\/login\/totp\/setup$/);
	const key = (await page.getByTestId('totp-key').textContent())!.replace(/\s/g, '');
	const code = await generate({ secret: key, algorithm: 'sha1', digits: 6, period: 30 });
	await field(page, 'Code from the app').fill(code);
	await page.getByRole('button', { name: 'Confirm' }).click();
	await expect(page).toHaveURL(/\/portal$/);
	await context.close();
	return key;
}

test('reset TOTP: an enrolled user enrolls again at the next sign-in; by username too', async ({
	page,
	browser,
	baseURL
}) => {
	const firstKey = await enrollAsUser(browser, baseURL);

	await signIn(page, ADMIN);
	await page.goto(`/admin/users?domain=${domainId}`);
	await expect(row(page, USER.username)).toContainText('Enrolled');
	await page.getByRole('button', { name: `Reset TOTP of ${USER.username}` }).click();
	await expect(page.getByRole('status')).toHaveText(
		`TOTP reset for ${USER.username}: they enroll again at their next sign-in.`
	);
	await expect(row(page, USER.username)).toContainText('Not enrolled');

	// a new key at the next sign-in
	const secondKey = await enrollAsUser(browser, baseURL);
	expect(secondKey).not.toBe(firstKey);

	// Reset TOTP by username (the way LDAP users are reset), with a blank username first
	await page.reload();
	const card = page.getByRole('region', { name: 'Reset TOTP' });
	await card.getByRole('button', { name: 'Reset TOTP' }).click();
	await assertFieldError(card, 'Username', 'Enter the username.');
	await card.getByLabel('Username', { exact: true }).fill(USER.username.toUpperCase());
	await card.getByRole('button', { name: 'Reset TOTP' }).click();
	await expect(card.getByRole('status')).toHaveText(
		`TOTP reset for ${USER.username.toUpperCase()}: they enroll again at their next sign-in.`
	);
	await card.getByLabel('Username', { exact: true }).fill(`nobody.${run}`);
	await card.getByRole('button', { name: 'Reset TOTP' }).click();
	await expect(card.getByRole('status')).toHaveText(
		`No TOTP enrollment found for nobody.${run}: nothing to reset.`
	);

	// every reset is in the audit log
	await page.goto('/admin/audit');
	await expect(
		page.getByRole('row').filter({ hasText: 'TOTP reset' }).filter({ hasText: USER.username })
	).not.toHaveCount(0);
});

test('identity admin pages: no serious accessibility violations, light and dark', async ({
	page
}) => {
	// 18 axe scans: more than the default minute on a loaded CI machine
	test.setTimeout(180_000);
	await signIn(page, ADMIN);
	const userHref = await (async () => {
		await page.goto(`/admin/users?domain=${domainId}`);
		return row(page, USER.username)
			.getByRole('link', { name: USER.username, exact: true })
			.getAttribute('href');
	})();
	const pages = [
		'/admin/applications',
		'/admin/applications/new',
		'/admin/otp-generators',
		'/admin/otp-generators/new',
		'/admin/domains',
		'/admin/domains/new',
		`/admin/users?domain=${domainId}`,
		`/admin/users/new?domain=${domainId}`,
		userHref!
	];
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		for (const url of pages) {
			await page.goto(url);
			expect(await seriousA11yViolations(page), `${url} (${colorScheme})`).toEqual([]);
		}
	}
	// the users list with its search, as people see it
	await page.goto(`/admin/users?domain=${domainId}&q=${USER.username.slice(0, 3)}`);
	await expect(row(page, USER.username)).toBeVisible();
	await assertNoSidewaysScroll(page, 'users list');
	await screenshotBothSchemes(page, 'users-search');
});
