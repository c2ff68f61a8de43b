import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { freshTestDatabase } from './testing/db.js';
import { db, tables, type Database } from './db/index.js';
import { startSmtpPeer, type PeerOptions, type SmtpPeer } from './testing/smtp-peers.js';
import { createSinkServer } from './testing/sink-server.js';
import { closeAllTransports, closeServerTransport } from './mail/transport.js';
import { startOutbox, stopOutbox } from './outbox/lifecycle.js';
import { enqueue } from './outbox/enqueue.js';
import { deliver } from './outbox/worker.js';
import { seedIdentityDemo } from './identity/seed.js';
import { startLogin } from './login/flow.js';
import { sendUserMail } from './user-mail.js';
import { resendMessage } from './resend.js';

let database: Database;
let peers: SmtpPeer[] = [];
beforeEach(async () => {
	database = await freshTestDatabase();
	await startOutbox(database);
});
afterEach(async () => {
	await stopOutbox();
	await closeAllTransports();
	await Promise.all(peers.map((p) => p.close()));
	peers = [];
	await database.close();
});

async function server(options: PeerOptions = {}) {
	const peer = await startSmtpPeer(options);
	peers.push(peer);
	return { peer, id: await createSinkServer(peer.port, `Relay ${peers.length}`) };
}

/** Points a saved server at another sink (the mail server was fixed). */
async function repoint(serverId: string, port: number) {
	await db().update(tables.smtpServers).set({ port }).where(eq(tables.smtpServers.id, serverId));
	await closeServerTransport(serverId);
}

const audit = { actor: 'site-admin' };

async function rows() {
	return db().select().from(tables.mailOutbox).orderBy(tables.mailOutbox.createdAt);
}

describe('resend from the mail log', () => {
	it('sends a failed message without a secret again, as it was, linked to the failed one', async () => {
		const { id: serverId } = await server({ fault: 'rcpt-550-5.7.60' });
		const failedId = await enqueue({
			kind: 'notification',
			serverId,
			to: ['ops@example.com'],
			subject: 'Application launched',
			text: 'Jane launched Payroll',
			carriesSecret: false
		});
		expect(await deliver(failedId)).toBe('failed');
		const good = await startSmtpPeer();
		peers.push(good);
		await repoint(serverId, good.port);

		expect(await resendMessage(failedId, audit)).toMatchObject({ ok: true });
		await expect.poll(() => good.messages.length, { timeout: 10_000 }).toBe(1);
		// the sink has it; the worker records the 250 a moment later
		await expect.poll(async () => (await rows())[1]?.status, { timeout: 10_000 }).toBe('sent');
		expect(good.messages[0].text).toContain('Jane launched Payroll');
		const [failed, resent] = await rows();
		expect(resent).toMatchObject({ resentFrom: failedId, status: 'sent' });
		expect(resent.messageId).not.toBe(failed.messageId);
		const [entry] = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.action, 'mail.resent'));
		expect(entry.outcome).toBe('ok');
		expect(JSON.stringify(entry.detail)).not.toContain('Jane launched Payroll');
	});

	it('makes a fresh sign-in code for the same sign-in, never the old one', async () => {
		const { id: serverId } = await server({ fault: 'rcpt-550-5.7.60' });
		const seed = await seedIdentityDemo({ smtpServerId: serverId, sender: 'codes@example.com' });
		const person = seed.users.find((u) => u.domainId === seed.emailDomainId && u.email)!;
		const started = await startLogin({
			domainId: person.domainId,
			username: person.username,
			password: person.password,
			send: sendUserMail
		});
		expect(started).toMatchObject({ ok: true, next: 'email-otp' });
		const [failed] = await rows();
		expect(failed).toMatchObject({ kind: 'email-otp', status: 'failed', bodySealed: null });
		expect(failed.origin?.loginId).toBeTruthy();

		const good = await startSmtpPeer();
		peers.push(good);
		await repoint(serverId, good.port);
		// at once: the 30 s between a user's codes does not hold the admin back (the account's limit does)
		const outcome = await resendMessage(failed.id, audit);
		expect(outcome).toMatchObject({ ok: true });
		expect(good.messages).toHaveLength(1);
		const code = /\b(\d{6})\b/.exec(good.messages[0].text ?? '')?.[1];
		expect(code).toBeTruthy();
		// the new code is the login's current one: the old (never delivered) one is superseded
		const live = await db()
			.select()
			.from(tables.otpChallenges)
			.where(
				and(eq(tables.otpChallenges.loginId, failed.origin!.loginId!), sql`superseded_at is null`)
			);
		expect(live).toHaveLength(1);
		const [, resent] = await rows();
		expect(resent).toMatchObject({ resentFrom: failed.id, status: 'sent', bodySealed: null });
	});

	it('explains instead when the sign-in has ended, or the kind is not resent, or it did not fail', async () => {
		const { id: serverId } = await server({ fault: 'rcpt-550-5.7.60' });
		const ended = await enqueue({
			kind: 'email-otp',
			serverId,
			to: ['jane@example.com'],
			subject: 'Your sign-in code',
			text: 'Your code is 111111',
			carriesSecret: true,
			origin: { loginId: '00000000-0000-4000-8000-000000000000' }
		});
		expect(await deliver(ended)).toBe('failed');
		expect(await resendMessage(ended, audit)).toEqual({
			ok: false,
			message:
				'The sign-in this code was for has ended. The user signs in again and gets a new code.'
		});
		const key = await enqueue({
			kind: 'totp-key',
			serverId,
			to: ['jane@example.com'],
			subject: 'Your key',
			text: 'JBSWY3DPEHPK3PXP',
			carriesSecret: true
		});
		expect(await deliver(key)).toBe('failed');
		expect((await resendMessage(key, audit)).message).toMatch(/reset the user’s TOTP/);

		const { id: goodServer } = await server();
		const sent = await enqueue({
			kind: 'notification',
			serverId: goodServer,
			to: ['ops@example.com'],
			subject: 'Hello',
			text: 'Hello',
			carriesSecret: false
		});
		expect(await deliver(sent)).toBe('sent');
		expect(await resendMessage(sent, audit)).toEqual({
			ok: false,
			message: 'Only a failed message can be resent.'
		});
		expect(await resendMessage('00000000-0000-4000-8000-000000000001', audit)).toMatchObject({
			ok: false
		});
	});
});
