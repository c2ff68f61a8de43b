/**
 * The alerts pages in Chromium, on a Postern of this spec's own (a fresh data folder: nothing else changes
 * its site settings), with a real smtp-server sink: the banner while no server can carry alerts, a health
 * check run from the page, a type's custom recipients refused then saved (also with JavaScript off), the
 * timings' field errors, a test alert that reaches the sink and is listed in the history with its message
 * linked to the mail log; no axe violation, light and dark.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { ADMIN } from './support/accounts.js';
import { setUpOverHttp } from './support/http.js';
import { startPostern, type Postern } from './support/postern.js';
import {
	a11yViolations,
	assertNoSidewaysScroll,
	populateLogin,
	screenshotBothSchemes
} from './support/pages.js';
import { addSinkServer } from './support/end-users.js';
import { startSmtpPeer, type SmtpPeer } from '../../src/lib/server/testing/smtp-peers.js';

test.describe.configure({ mode: 'serial' });

const SERVER = 'Alert sink';
const TO = 'alerts.desk@example.com';

let server: Postern;
let sink: SmtpPeer;
let context: BrowserContext;
let page: Page;

async function signedInPage(browser: Browser, javaScriptEnabled = true) {
	const ctx = await browser.newContext({ baseURL: server.url, javaScriptEnabled });
	const p = await ctx.newPage();
	await p.goto('/admin/login');
	await populateLogin(p, ADMIN);
	await p.getByRole('button', { name: 'Sign in' }).click();
	await expect(p).toHaveURL(/\/admin$/);
	return { ctx, p };
}

const ruleCard = (p: Page, title: string) =>
	p.getByRole('listitem').filter({ has: p.getByRole('heading', { name: title, exact: true }) });

test.beforeAll(async ({ browser }) => {
	test.setTimeout(120_000);
	sink = await startSmtpPeer({ security: 'plain', auth: 'none' });
	server = await startPostern('alerts');
	await setUpOverHttp(server);
	({ ctx: context, p: page } = await signedInPage(browser));
});
test.afterAll(async () => {
	await context?.close();
	await server?.stop();
	await sink?.close();
});

test('a server that passed its health check carries alerts; until then a banner says they cannot', async () => {
	await addSinkServer(page, SERVER, sink, 'noreply@postern.test');
	await page.goto('/admin/alerts');
	await expect(page.getByTestId('alerts-undeliverable-banner')).toContainText(
		'Alerts cannot be delivered: the SMTP configuration is switched off and no other server passed its last health check'
	);
	await page.getByRole('button', { name: 'Check servers now' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Checked 1 server.' })).toBeVisible();
	await expect(page.getByRole('row').filter({ hasText: SERVER })).toContainText('Passed');
	await expect(page.getByTestId('alert-route')).toContainText(`Alerts go through ${SERVER}`);
	await expect(page.getByTestId('alerts-undeliverable-banner')).toHaveCount(0);
});

test('a custom list is checked, saved, kept, and the test alert reaches it', async () => {
	await page.goto('/admin/alerts');
	const card = ruleCard(page, 'Outbox backlog');
	await card.getByLabel('Custom list').check();
	await card.getByLabel('Custom recipients').fill('not-an-address');
	await card.getByRole('button', { name: 'Save: Outbox backlog' }).click();
	await expect(card.locator('.field-error')).toHaveText(
		'"not-an-address" is not an e-mail address.'
	);
	await expect(card.getByLabel('Custom recipients')).toHaveAttribute('aria-invalid', 'true');

	await card.getByLabel('Custom recipients').fill(`${TO.toUpperCase()}, ${TO}`);
	await card.getByRole('button', { name: 'Save: Outbox backlog' }).click();
	await expect(card.getByRole('status')).toHaveText('“Outbox backlog” saved.');
	await page.reload();
	await expect(ruleCard(page, 'Outbox backlog').getByLabel('Custom recipients')).toHaveValue(TO);
	await expect(ruleCard(page, 'Outbox backlog').getByLabel('Custom list')).toBeChecked();

	await ruleCard(page, 'Outbox backlog')
		.getByRole('button', { name: 'Send test alert: Outbox backlog' })
		.click();
	await expect(ruleCard(page, 'Outbox backlog').getByRole('status').first()).toHaveText(
		`Test alert sent to 1 recipient through ${SERVER}.`
	);
	await expect.poll(() => sink.messages.filter((m) => m.envelopeTo.includes(TO)).length).toBe(1);
	const [mail] = sink.messages.filter((m) => m.envelopeTo.includes(TO));
	expect(mail.subject).toBe(
		'[Postern Test] Outbox backlog: Test from the alerts page by site-admin'
	);
	expect(mail.text).toContain('nothing is wrong');
});

test('the history lists the test alert and links its message to the mail log', async () => {
	await page.goto('/admin/alerts/history');
	const row = page.getByTestId('alert-row').filter({ hasText: 'Outbox backlog (test)' });
	await expect(row).toContainText(TO);
	await expect(row).toContainText('Sent');
	await row.getByRole('link', { name: TO }).click();
	await expect(page).toHaveURL(/\/admin\/mail-log\?kind=alert&to=/);
	await expect(page.getByTestId('mail-row').filter({ hasText: TO })).toHaveCount(1);
});

test('timings refuse what is out of range, field by field, and save what is not', async () => {
	await page.goto('/admin/alerts');
	await page.getByLabel('Health check interval (minutes)').fill('0');
	await page.getByLabel('Repeat interval (hours)').fill('200');
	await page.getByRole('button', { name: 'Save timings' }).click();
	await expect(page.locator('#f-healthIntervalMinutes-error')).toHaveText(
		'Health check interval is a whole number from 1 to 1,440.'
	);
	await expect(page.locator('#f-repeatHours-error')).toHaveText(
		'Repeat interval is a whole number from 1 to 168.'
	);
	await page.getByLabel('Health check interval (minutes)').fill('10');
	await page.getByLabel('Repeat interval (hours)').fill('12');
	await page.getByRole('button', { name: 'Save timings' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Alert timings saved.' })).toBeVisible();
	await page.reload();
	await expect(page.getByLabel('Health check interval (minutes)')).toHaveValue('10');
});

test('works with JavaScript off', async ({ browser }) => {
	const { ctx, p } = await signedInPage(browser, false);
	await p.goto('/admin/alerts');
	const card = ruleCard(p, 'TOTP reset by an admin');
	await card.getByLabel('Enabled').uncheck();
	await card.getByRole('button', { name: 'Save: TOTP reset by an admin' }).click();
	await expect(ruleCard(p, 'TOTP reset by an admin').getByRole('status')).toHaveText(
		'“TOTP reset by an admin” saved.'
	);
	await p.goto('/admin/alerts');
	await expect(ruleCard(p, 'TOTP reset by an admin').getByLabel('Enabled')).not.toBeChecked();
	await ctx.close();
});

test('no axe violation, light and dark; no sideways scroll on a phone', async () => {
	for (const path of ['/admin/alerts', '/admin/alerts/history']) {
		await page.goto(path);
		for (const colorScheme of ['light', 'dark'] as const) {
			await page.emulateMedia({ colorScheme });
			expect(await a11yViolations(page), `${path}, ${colorScheme}`).toEqual([]);
		}
		await assertNoSidewaysScroll(page, path);
		await screenshotBothSchemes(page, path.slice(1).replaceAll('/', '-'));
	}
	await page.emulateMedia({ colorScheme: null });
});
