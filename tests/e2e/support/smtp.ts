/**
 * The SMTP server editor as a user sees it (/admin/smtp-servers/new, /[id], and the site settings' SMTP method,
 * which embed the same form), a real smtp-server sink on a free loopback port for the specs, and raw page source
 * fetched with the browser's session.
 */
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import {
	PEER_USER,
	startSmtpPeer,
	type PeerMessage,
	type SmtpPeer
} from '../../../src/lib/server/testing/smtp-peers.js';
import { send } from './http.js';

export { PEER_USER, type PeerMessage, type SmtpPeer };

/** A plain (no TLS) sink taking AUTH PLAIN and LOGIN for PEER_USER, keeping every message it receives. */
export function startBasicSink(): Promise<SmtpPeer> {
	return startSmtpPeer({ security: 'plain', auth: 'basic', authMethods: ['PLAIN', 'LOGIN'] });
}

export interface BasicServerValues {
	/** Absent on the site settings' form (it names its server itself). */
	name?: string;
	host: string;
	port: number;
	username: string;
	password: string;
	fromAddress: string;
}

/** The secret field's label is "Password", plus a "set" badge once a password is stored. */
export function passwordField(scope: Page | Locator) {
	// a regular expression sees the label's text as it is, line breaks and all
	return scope.getByLabel(/^\s*Password(\s+set)?\s*$/);
}

export async function populateBasicServer(scope: Page | Locator, values: BasicServerValues) {
	if (values.name !== undefined)
		await scope.getByLabel('Display name', { exact: true }).fill(values.name);
	await scope.getByLabel('Server', { exact: true }).fill(values.host);
	// The port follows the connection type until it is edited: choose the type first.
	await scope.getByLabel('Connection type', { exact: true }).selectOption({ label: 'Unsecured' });
	await scope.getByLabel('Port', { exact: true }).fill(String(values.port));
	await scope.getByRole('radio', { name: 'Username and password' }).check();
	await scope.getByLabel('Username', { exact: true }).fill(values.username);
	await passwordField(scope).fill(values.password);
	await scope.getByLabel('Sender address', { exact: true }).fill(values.fromAddress);
}

export type TestMode = 'Check connection' | 'Send test e-mail';

/** Runs the configuration test and waits for its verdict (the previous one, if any, is replaced). */
export async function runConfigurationTest(page: Page, mode: TestMode, to?: string) {
	if (to !== undefined) {
		// a page still hydrating (the dev server compiles on first visit) may put its default back: type again
		// until the field keeps what was typed
		const field = page.getByLabel('Destination address', { exact: true });
		await expect(async () => {
			await field.fill(to);
			await page.waitForTimeout(200);
			await expect(field).toHaveValue(to, { timeout: 100 });
		}).toPass({ timeout: 15_000 });
	}
	const answered = page.waitForResponse(
		(r) => r.request().method() === 'POST' && /[?&]\/(test|smtpTest)\b/.test(r.url())
	);
	await page.getByRole('button', { name: mode }).click();
	await answered;
	const verdict = page.locator('#test-verdict');
	await expect(verdict).toBeVisible();
	return verdict;
}

/** Opens the transcript (a closed <details>) and returns it. */
export async function openTranscript(page: Page) {
	await page.getByText(/^SMTP transcript \(\d+ lines, secrets redacted\)$/).click();
	const transcript = page.getByTestId('transcript');
	await expect(transcript).toBeVisible();
	return transcript;
}

/** Waits until the sink holds a message matching `match`, and returns it. */
export async function waitForMessage(
	sink: SmtpPeer,
	match: (m: PeerMessage) => boolean,
	what = 'a matching message'
): Promise<PeerMessage> {
	await expect
		.poll(() => sink.messages.some(match), { message: `the sink received ${what}` })
		.toBe(true);
	return sink.messages.find(match)!;
}

/** The page's HTML as the server sends it (a fresh GET with the browser's session, no JavaScript run). */
export async function rawHtml(context: BrowserContext, url: string) {
	const cookie = (await context.cookies(url))
		.filter((c) => c.name.endsWith('postern_admin'))
		.map((c) => `${c.name}=${c.value}`)
		.join('; ');
	const reply = await send(url, { cookie });
	expect(reply.status, `GET ${url}`).toBe(200);
	return reply.body;
}

/** How a password can show up on the wire of an SMTP login: as typed, or base64 in AUTH PLAIN / LOGIN. */
export function passwordForms(username: string, password: string) {
	return [
		password,
		Buffer.from(password).toString('base64'),
		Buffer.from(`\0${username}\0${password}`).toString('base64')
	];
}
