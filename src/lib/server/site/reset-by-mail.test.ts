/**
 * The reset-link request answers in the same time whether or not the account exists: it never waits for the
 * SMTP send, which happens in the background (and is audited, or logged when it fails).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { ADMIN, setUpAccounts } from '../testing/accounts.js';
import { db, tables, type Database } from '../db/index.js';
import { log } from '../log.js';
import type { SiteMailResult, SiteMessage } from './mail.js';
import { updateSiteSettings } from './settings.js';
import { requestResetLink, resetPasswordWithLink } from './reset-by-mail.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	vi.restoreAllMocks();
	await database.close();
});

const EMAIL = 'alice@postern.test';
const PUBLIC_URL = 'https://console.postern.test';

/** Site SMTP on (the sender is injected, so no server is contacted) and the admin has an e-mail address. */
async function offerResetByMail() {
	const { admin } = await setUpAccounts();
	await db().update(tables.admins).set({ email: EMAIL }).where(eq(tables.admins.id, admin.id));
	await updateSiteSettings(
		{ smtpEnabled: true, smtpServerId: randomUUID() },
		{ actor: 'test', what: 'smtp' }
	);
	return admin;
}

/** A sender that holds every message until the test lets it go, like an SMTP server taking its time. */
function slowSender() {
	const sent: SiteMessage[] = [];
	let release!: () => void;
	const gate = new Promise<void>((resolve) => (release = resolve));
	const send = vi.fn(async (message: SiteMessage): Promise<SiteMailResult> => {
		await gate;
		sent.push(message);
		return { sent: true, messageId: '<slow@postern.test>', delayed: false };
	});
	return { send, sent, release };
}

const auditOf = async () =>
	(await db().select().from(tables.auditLog)).filter((a) => a.action === 'site.reset_link_sent');

/** Resolves with 'answered' if the request settles within the time, else 'still waiting'. */
async function within<T>(promise: Promise<T>, ms: number) {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<'still waiting'>((resolve) => {
		timer = setTimeout(() => resolve('still waiting'), ms);
	});
	const answer = await Promise.race([promise.then(() => 'answered' as const), late]);
	clearTimeout(timer);
	return answer;
}

describe('requestResetLink', () => {
	it('answers before a slow SMTP send finishes, and the mail still goes out', async () => {
		await offerResetByMail();
		const smtp = slowSender();
		const request = requestResetLink(
			{ username: ADMIN.username, ip: '192.0.2.1', publicUrl: PUBLIC_URL },
			smtp.send
		);
		// The SMTP server has not answered (and never will until released): the request must not wait for it.
		expect(await within(request, 15_000)).toBe('answered');
		const result = await request;
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(smtp.send).toHaveBeenCalledTimes(1);
		expect(smtp.sent).toEqual([]);
		expect(await auditOf()).toEqual([]);

		smtp.release();
		await result.delivery;
		expect(smtp.sent).toHaveLength(1);
		const [mail] = smtp.sent;
		expect(mail.to).toBe(EMAIL);
		const link = mail.text.match(/https:\/\/console\.postern\.test\/admin\/reset\?token=(\S+)/);
		expect(link).not.toBeNull();
		expect(await auditOf()).toMatchObject([
			{ actor: ADMIN.username, outcome: 'ok', detail: { to: EMAIL } }
		]);
		// the link in the mail works
		expect(
			await resetPasswordWithLink({
				token: decodeURIComponent(link![1]),
				newPassword: 'a brand new passphrase 7'
			})
		).toBe(true);
	});

	it('gives the same answer, at once, for an unknown account', async () => {
		await offerResetByMail();
		const smtp = slowSender();
		const result = await requestResetLink(
			{ username: 'nobody', ip: '192.0.2.1', publicUrl: PUBLIC_URL },
			smtp.send
		);
		expect(result).toMatchObject({ ok: true });
		expect(Object.keys(result).sort()).toEqual(['delivery', 'ok']);
		if (result.ok) await result.delivery;
		expect(smtp.send).not.toHaveBeenCalled();
		expect(await auditOf()).toMatchObject([
			{ actor: 'nobody', outcome: 'failed', detail: { reason: 'no such account' } }
		]);
	});

	it('logs a send that fails in the background (without the link), and the request still answered', async () => {
		await offerResetByMail();
		const logged = vi.spyOn(log, 'error').mockImplementation(() => undefined);
		const failing = vi.fn(async (): Promise<SiteMailResult> => {
			throw Object.assign(new Error('connection reset by the SMTP server'), { code: 'ECONNRESET' });
		});
		const result = await requestResetLink(
			{ username: ADMIN.username, publicUrl: PUBLIC_URL },
			failing
		);
		expect(result.ok).toBe(true);
		if (result.ok) await result.delivery;
		expect(failing).toHaveBeenCalledTimes(1);
		expect(logged).toHaveBeenCalledTimes(1);
		const [fields] = logged.mock.calls[0] as unknown as [Record<string, unknown>];
		expect(fields).toMatchObject({
			event: 'reset_link_mail_failed',
			account: ADMIN.username,
			error: { code: 'ECONNRESET', message: 'connection reset by the SMTP server' }
		});
		expect(JSON.stringify(logged.mock.calls)).not.toContain('token=');
	});
});

describe('requestResetLink under parallel requests', () => {
	// The clock stands still during the burst: the rule then lets exactly the first DELAY_FROM through.
	beforeEach(() => {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2030-03-01T09:00:00Z'));
	});
	afterEach(() => {
		vi.useRealTimers();
	});

	it('mails at most 5 links for 100 parallel requests (checked and counted in one step)', async () => {
		await offerResetByMail();
		const smtp = slowSender();
		smtp.release();
		const answers = await Promise.all(
			Array.from({ length: 100 }, () =>
				requestResetLink(
					{ username: ADMIN.username, ip: '203.0.113.9', publicUrl: PUBLIC_URL },
					smtp.send
				)
			)
		);
		await Promise.all(answers.map((a) => (a.ok ? a.delivery : undefined)));
		expect(smtp.send).toHaveBeenCalledTimes(5);
		expect(answers.filter((a) => !a.ok)).toHaveLength(95);
	});
});
