/**
 * End-user steps the e2e specs share: an identity provider and its users made through the console, a password
 * posted at /login, and an e-mail OTP sign-in with the code read from a real smtp-server sink.
 */
import { expect, type Browser, type Page } from '@playwright/test';
import type { SmtpPeer } from '../../../src/lib/server/testing/smtp-peers.js';
import type { SlapdServer } from '../../../src/lib/server/testing/slapd.js';

export interface EndUser {
	username: string;
	email: string;
	password: string;
}

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

/** An unsecured SMTP server on the loopback sink, through the console. */
export async function addSinkServer(page: Page, name: string, sink: SmtpPeer, sender: string) {
	await page.goto('/admin/smtp-servers/new');
	await field(page, 'Display name').fill(name);
	await field(page, 'Server').fill(sink.host);
	await field(page, 'Connection type').selectOption({ label: 'Unsecured' });
	await field(page, 'Port').fill(String(sink.port));
	await field(page, 'Sender address').fill(sender);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/smtp-servers(\?|$)/);
}

/** An "OTP – e-mail" generator through `server`, whose Sender fills in from the server. */
export async function addEmailGenerator(page: Page, name: string, server: string, sender: string) {
	await page.goto('/admin/otp-generators/new');
	await field(page, 'Display name').fill(name);
	await field(page, 'SMTP server').selectOption({ label: server });
	await expect(field(page, 'Sender')).toHaveValue(sender);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/otp-generators\?saved=/);
}

export async function addApplication(page: Page, name: string, url: string) {
	await page.goto('/admin/applications/new');
	await field(page, 'Name').fill(name);
	await field(page, 'URL').fill(url);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/applications\?saved=/);
}

/** The steps, reading codes from the sink `sink()` returns (started in a beforeAll). */
export function endUserSteps(sink: () => SmtpPeer) {
	async function addDomain(
		page: Page,
		name: string,
		generator: string,
		ldap?: SlapdServer
	): Promise<string> {
		await page.goto('/admin/domains/new');
		if (ldap) {
			await page.getByRole('radio', { name: 'LDAP' }).check();
			await field(page, 'URL').fill(ldap.url);
			await field(page, 'Bind DN').fill(ldap.bindDn);
			await field(page, 'Bind password').fill(ldap.bindPassword);
			await field(page, 'Base DN').fill(ldap.baseDn);
			await field(page, 'User filter').fill(ldap.userFilter);
		}
		await field(page, 'Name').fill(name);
		await field(page, 'Authentication tokens').selectOption({ label: generator });
		await page.getByRole('button', { name: 'Save' }).click();
		await expect(page).toHaveURL(/\/admin\/domains\?saved=/);
		const href = await row(page, name)
			.getByRole('link', { name, exact: true })
			.getAttribute('href');
		return href!.split('/').pop()!;
	}

	async function addUser(page: Page, domainId: string, u: EndUser) {
		await page.goto(`/admin/users/new?domain=${domainId}`);
		await field(page, 'Username').fill(u.username);
		await field(page, 'Email').fill(u.email);
		await field(page, 'Password').fill(u.password);
		await page.getByRole('button', { name: 'Add user' }).click();
		await expect(page.getByRole('status')).toHaveText(`User ${u.username} saved.`);
	}

	/** Fills /login (choosing the domain when there is a choice) and posts the password. */
	async function postPassword(
		page: Page,
		domainId: string,
		credentials: { username: string; password: string }
	) {
		await page.goto('/login');
		const domain = field(page, 'Domain');
		if (await domain.count()) await domain.selectOption(domainId);
		await field(page, 'Username').fill(credentials.username);
		await field(page, 'Password').fill(credentials.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
	}

	/** The code in the next message the sink receives for `to` after `seen` earlier ones. */
	async function codeFor(to: string, seen: number): Promise<string> {
		const mails = () => sink().messages.filter((m) => m.envelopeTo.includes(to));
		await expect.poll(() => mails().length, { timeout: 20_000 }).toBeGreaterThan(seen);
		return /\b(\d{6,8})\b/.exec(mails()[seen].text)![1];
	}
	const mailCount = (to: string) => sink().messages.filter((m) => m.envelopeTo.includes(to)).length;

	async function signInWithEmailCode(page: Page, domainId: string, u: EndUser) {
		const seen = mailCount(u.email);
		await postPassword(page, domainId, u);
		await expect(page).toHaveURL(/\/login\/otp$/);
		const code = await codeFor(u.email, seen);
		await field(page, 'Code').fill(code);
		await page.getByRole('button', { name: 'Send', exact: true }).click();
		await expect(page).toHaveURL(/\/portal$/);
		await expect(page.getByTestId('portal-user')).toContainText(u.username);
	}

	async function userPage(browser: Browser, baseURL: string | undefined, javaScriptEnabled = true) {
		const context = await browser.newContext({ baseURL, javaScriptEnabled });
		return context.newPage();
	}

	return { addDomain, addUser, postPassword, codeFor, mailCount, signInWithEmailCode, userPage };
}
