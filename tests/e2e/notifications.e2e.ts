/**
 * Notification profiles in Chromium on the main server, with a real smtp-server sink: a profile made in the
 * vendor's two steps and words (Name, SMTP server, Issuer, Recipient + Add, Next, the applications,
 * Validate); an unknown placeholder refused; a user's launch from the portal puts one mail per recipient,
 * with every fact, in the sink; two profiles on one application; a disabled profile sends nothing; the
 * profile's page lists its last notifications; a profile made with JavaScript off; no axe violation on the
 * new pages, light and dark. Names carry a run tag: the main server is shared.
 */
import { expect, test, type Page } from '@playwright/test';
import { ADMIN } from './support/accounts.js';
import {
	a11yViolations,
	assertFieldError,
	assertNoSidewaysScroll,
	screenshotBothSchemes,
	signIn
} from './support/pages.js';
import {
	addApplication,
	addEmailGenerator,
	addSinkServer,
	endUserSteps
} from './support/end-users.js';
import { startSmtpPeer, type SmtpPeer } from '../../src/lib/server/testing/smtp-peers.js';

test.describe.configure({ mode: 'serial' });

const run = Date.now().toString(36).slice(-6);
const NAMES = {
	server: `Notify sink ${run}`,
	generator: `Notify codes ${run}`,
	domain: `Notify domain ${run}`,
	app: `PLC ${run}`,
	otherApp: `Wiki ${run}`,
	ops: `Ops ${run}`,
	audit: `Audit ${run}`,
	quiet: `Quiet ${run}`,
	noJs: `No script ${run}`
};
const SENDER = 'noreply@postern.test';
const USER = {
	username: `nora.${run}`,
	email: `nora.${run}@postern.test`,
	password: 'Copper-Lantern-Fjord-64'
};
const OPS = [`ops.${run}@example.com`, `secops.${run}@example.com`];
const AUDITOR = `audit.${run}@example.com`;
const QUIET = `quiet.${run}@example.com`;

let sink: SmtpPeer;
let domainId = '';
const { addDomain, addUser, signInWithEmailCode, userPage } = endUserSteps(() => sink);

test.beforeAll(async () => {
	sink = await startSmtpPeer({ security: 'plain', auth: 'none' });
});
test.afterAll(async () => {
	await sink?.close();
});

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });
const mailsTo = (to: string) => sink.messages.filter((m) => m.envelopeTo.includes(to));

async function assertNoViolations(page: Page, what: string) {
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		expect(await a11yViolations(page), `${what}, ${colorScheme}`).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: null });
}

async function setSiteTimeZone(page: Page, zone: string) {
	await page.goto('/admin/site');
	await page.getByRole('link', { name: 'Edit Time zone' }).click();
	await page.getByRole('combobox', { name: 'Time zone' }).selectOption(zone);
	await page.getByRole('button', { name: 'Confirm' }).click();
	await expect(page.getByRole('status')).toHaveText('Time zone saved.');
	await expect(page.getByTestId('site-time-zone')).toHaveText(zone);
}

/** Step 1 and step 2 of a new profile, as an admin follows the guide. */
async function createProfile(page: Page, name: string, recipients: string[], apps: string[]) {
	await page.goto('/admin/notification-profiles/new');
	await field(page, 'Name').fill(name);
	await field(page, 'SMTP server').selectOption({ label: NAMES.server });
	for (const address of recipients) {
		await field(page, 'Recipient').fill(address);
		await page.getByRole('button', { name: 'Add', exact: true }).click();
	}
	await page.getByRole('button', { name: 'Next' }).click();
	for (const app of apps) await page.getByRole('checkbox', { name: app }).check();
	await page.getByRole('button', { name: 'Validate' }).click();
	await expect(page).toHaveURL(/\/admin\/notification-profiles\?saved=/);
	await expect(page.getByRole('status')).toHaveText(`“${name}” saved.`);
}

test('admin: a sink server, a sign-in domain with a user, two applications', async ({
	page,
	baseURL
}) => {
	test.setTimeout(120_000);
	await signIn(page, ADMIN);
	await addSinkServer(page, NAMES.server, sink, SENDER);
	await addEmailGenerator(page, NAMES.generator, NAMES.server, SENDER);
	domainId = await addDomain(page, NAMES.domain, NAMES.generator);
	await addUser(page, domainId, USER);
	await addApplication(page, NAMES.app, `${baseURL}/healthz?app=plc-${run}`);
	await addApplication(page, NAMES.otherApp, `${baseURL}/healthz?app=wiki-${run}`);
});

test('a profile in two steps, with the guide’s labels; bad input is a field error', async ({
	page
}) => {
	// a long walk through both steps, three axe scans and a second profile: give a loaded machine room
	test.setTimeout(120_000);
	await signIn(page, ADMIN);
	await page.goto('/admin');
	await page.getByRole('link', { name: 'Notifications profiles' }).click();
	await expect(
		page.getByRole('heading', { name: 'Notifications profiles', level: 1 })
	).toBeVisible();
	await assertNoViolations(page, 'profile list');
	await page.getByRole('link', { name: 'Add notification profile' }).first().click();

	// Next with nothing filled: step 1's errors only
	await page.getByRole('button', { name: 'Next' }).click();
	await assertFieldError(page, 'Name', 'Enter the name.');
	await assertFieldError(page, 'SMTP server', 'Choose the SMTP server.');
	await assertNoViolations(page, 'profile step 1 with errors');

	await field(page, 'Name').fill(NAMES.ops);
	await field(page, 'SMTP server').selectOption({ label: NAMES.server });
	// the Issuer is the server's sender, and cannot be typed into
	await expect(field(page, 'Issuer')).toHaveValue(SENDER);
	await expect(field(page, 'Issuer')).toHaveAttribute('readonly', '');
	await field(page, 'Recipient').fill('not an address');
	await page.getByRole('button', { name: 'Add', exact: true }).click();
	await assertFieldError(page, 'Recipient', '"not an address" is not an e-mail address.');
	// Add, and Enter; upper case is lowered and a repeat is added once
	await field(page, 'Recipient').fill(OPS[0].toUpperCase());
	await page.getByRole('button', { name: 'Add', exact: true }).click();
	await field(page, 'Recipient').fill(OPS[1]);
	await field(page, 'Recipient').press('Enter');
	await field(page, 'Recipient').fill(OPS[0]);
	await field(page, 'Recipient').press('Enter');
	const list = page.getByRole('list', { name: /Recipients/ });
	await expect(list.getByRole('listitem')).toHaveText(OPS);
	await field(page, 'Recipient').fill('typo@example.com');
	await field(page, 'Recipient').press('Enter');
	await page.getByRole('button', { name: 'Remove typo@example.com' }).click();
	await expect(list.getByRole('listitem')).toHaveText(OPS);
	await page.getByRole('button', { name: 'Next' }).click();

	// step 2: the applications, then Validate
	await expect(page.locator('li[aria-current="step"]')).toContainText('Applications and message');
	await page.getByRole('button', { name: 'Validate' }).click();
	await expect(page.getByText('Choose the applications that send this notification')).toBeVisible();
	await page.getByRole('checkbox', { name: NAMES.app }).check();
	await field(page, 'Subject').fill('{{usr}} opened {{application}}');
	await expect(page.getByText('Unknown placeholder {{usr}}.', { exact: false })).toBeVisible();
	await page.getByRole('button', { name: 'Validate' }).click();
	await assertFieldError(page, 'Subject', /^Unknown placeholder \{\{usr\}\}/);
	await expect(page).toHaveURL(/\/new$/);
	await field(page, 'Subject').fill('{{user}} opened {{application}}');
	// the live preview follows the template
	await expect(page.getByTestId('preview-subject')).toHaveText('jdoe opened PLC');
	await assertNoViolations(page, 'profile step 2');
	// Back keeps step 2's choices
	await page.getByRole('button', { name: 'Back' }).click();
	await expect(field(page, 'Name')).toHaveValue(NAMES.ops);
	await page.getByRole('button', { name: 'Next' }).click();
	await expect(page.getByRole('checkbox', { name: NAMES.app })).toBeChecked();
	await expect(field(page, 'Subject')).toHaveValue('{{user}} opened {{application}}');
	await page.getByRole('button', { name: 'Validate' }).click();
	await expect(page).toHaveURL(/\/admin\/notification-profiles\?saved=/);
	const listed = row(page, NAMES.ops);
	await expect(listed).toContainText(NAMES.server);
	await expect(listed).toContainText(NAMES.app);
	await expect(listed).toContainText('Enabled');
	await expect(listed).toContainText('Never');

	await createProfile(page, NAMES.audit, [AUDITOR], [NAMES.app]);
	await createProfile(page, NAMES.quiet, [QUIET], [NAMES.app, NAMES.otherApp]);
	await row(page, NAMES.quiet)
		.getByRole('button', { name: `Disable ${NAMES.quiet}` })
		.click();
	await expect(page.getByRole('status')).toHaveText(`“${NAMES.quiet}” disabled.`);
	await expect(row(page, NAMES.quiet)).toContainText('Disabled');
});

test('a launch mails each recipient of every enabled profile of the application', async ({
	browser,
	baseURL,
	page
}) => {
	// the site's time zone is the one mail states times in
	await signIn(page, ADMIN);
	await setSiteTimeZone(page, 'Europe/Paris');
	const user = await userPage(browser, baseURL);
	await signInWithEmailCode(user, domainId, USER);
	const card = user.getByRole('listitem').filter({ hasText: NAMES.app });
	await card.getByRole('button', { name: 'Launch' }).click();
	await expect(user).toHaveURL(new RegExp(`app=plc-${run}`));

	for (const to of [...OPS, AUDITOR])
		await expect.poll(() => mailsTo(to).length, { timeout: 20_000 }).toBe(1);
	const [mail] = mailsTo(OPS[0]);
	expect(mail.subject).toBe(`${USER.username} opened ${NAMES.app}`);
	expect(mail.envelopeFrom).toBe(SENDER);
	for (const fact of [USER.username, NAMES.domain, NAMES.app, '127.0.0.1', 'Chrome'])
		expect(mail.text, fact).toContain(fact);
	expect(mail.text).toMatch(/\d{1,2} \w+ 20\d\d at \d\d:\d\d:\d\d \(Europe\/Paris\)/);
	expect(mail.html).toContain(NAMES.app);
	const [audit] = mailsTo(AUDITOR);
	expect(audit.subject).toBe(`${USER.username} launched ${NAMES.app}`);
	// the disabled profile sent nothing
	expect(mailsTo(QUIET)).toHaveLength(0);

	await setSiteTimeZone(page, 'UTC');
	// the profile's page lists what it sent, from the mail log
	await page.goto('/admin/notification-profiles');
	await page.getByRole('link', { name: NAMES.ops, exact: true }).click();
	const recent = page.getByRole('table', { name: /last 2 notifications/ });
	for (const to of OPS)
		await expect(
			recent.getByRole('row').filter({ has: page.getByRole('cell', { name: to, exact: true }) })
		).toContainText('Sent');
	await page.goto('/admin/notification-profiles');
	await expect(row(page, NAMES.ops)).not.toContainText('Never');
});

test('a test notification goes through the outbox and says how it went', async ({ page }) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/notification-profiles');
	await page.getByRole('link', { name: NAMES.audit, exact: true }).click();
	await page.getByRole('button', { name: 'Next' }).click();
	const to = `tester.${run}@example.com`;
	await field(page, 'Destination address').fill(to);
	await page.getByRole('button', { name: 'Send a test notification' }).click();
	await expect(page.getByText(`Sent successfully. Check the mailbox of ${to}`)).toBeVisible();
	await expect.poll(() => mailsTo(to).length).toBe(1);
	expect(mailsTo(to)[0].subject).toBe('[Test] jdoe launched PLC');
});

test('screens: the list, step 1 and step 2 at desktop and phone width, light and dark', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/notification-profiles');
	await screenshotBothSchemes(page, 'notification-profiles');
	await assertNoSidewaysScroll(page, 'notification profiles');
	await page.getByRole('link', { name: NAMES.ops, exact: true }).click();
	await screenshotBothSchemes(page, 'notification-profile-step-1');
	await assertNoSidewaysScroll(page, 'profile step 1');
	await page.getByRole('button', { name: 'Next' }).click();
	await expect(page.getByTestId('preview-subject')).toBeVisible();
	await screenshotBothSchemes(page, 'notification-profile-step-2');
	await assertNoSidewaysScroll(page, 'profile step 2');
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false });

	test('a profile is made with Add, remove, Next and Validate answered by the server', async ({
		page
	}) => {
		await signIn(page, ADMIN);
		await page.goto('/admin/notification-profiles/new');
		await field(page, 'Name').fill(NAMES.noJs);
		await field(page, 'SMTP server').selectOption({ label: NAMES.server });
		await field(page, 'Recipient').fill('first@example.com');
		await page.getByRole('button', { name: 'Add', exact: true }).click();
		await field(page, 'Recipient').fill('second@example.com');
		// Enter in the box is Add, too
		await field(page, 'Recipient').press('Enter');
		await expect(page.getByRole('list', { name: /Recipients/ }).getByRole('listitem')).toHaveText([
			'first@example.com',
			'second@example.com'
		]);
		await page.getByRole('button', { name: 'Remove first@example.com' }).click();
		await expect(page.getByRole('list', { name: /Recipients/ }).getByRole('listitem')).toHaveText([
			'second@example.com'
		]);
		// the Issuer shows once the server is chosen and the page comes back
		await expect(field(page, 'Issuer')).toHaveValue(SENDER);
		await page.getByRole('button', { name: 'Next' }).click();
		await page
			.getByRole('radio', { name: 'All applications, including those added later' })
			.check();
		await field(page, 'Grouping window').selectOption({ label: '5 minutes' });
		await field(page, 'Subject').fill('Launch: {{application}} by {{user}}');
		await page.getByRole('button', { name: 'Update preview' }).click();
		await expect(page.getByTestId('preview-subject')).toHaveText('Launch: PLC by jdoe');
		await page.getByRole('button', { name: 'Validate' }).click();
		await expect(page).toHaveURL(/\/admin\/notification-profiles\?saved=/);
		const listed = row(page, NAMES.noJs);
		await expect(listed).toContainText('All applications');
		await expect(listed).toContainText('Grouped by 5 min');
		// delete it, so later launches on the shared server do not open its window
		await listed.getByRole('button', { name: `Delete ${NAMES.noJs}` }).click();
		await expect(page.getByRole('status')).toHaveText('Notification profile deleted.');
	});
});
