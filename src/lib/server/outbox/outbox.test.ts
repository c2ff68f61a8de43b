import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { startSmtpPeer, type PeerOptions, type SmtpPeer } from '../testing/smtp-peers.js';
import { createSinkServer } from '../testing/sink-server.js';
import { closeAllTransports } from '../mail/transport.js';
import { openSecret } from '../secrets.js';
import { enqueue, enqueueInTransaction } from './enqueue.js';
import { startMailQueue, stopMailQueue, mailQueue, MAIL_QUEUE } from './queue.js';
import { stopMailWorker } from './worker.js';
import { deliver, startMailWorker } from './worker.js';
import { awaitFirstAttempt } from './wait.js';
import { readGate } from './gate.js';
import type { OutboxMessage } from './message.js';

let database: Database;
let peers: SmtpPeer[] = [];

beforeEach(async () => {
	database = await freshTestDatabase();
	await startMailQueue(database);
});
afterEach(async () => {
	await stopMailWorker();
	await stopMailQueue();
	await closeAllTransports();
	await Promise.all(peers.map((p) => p.close()));
	peers = [];
	await database.close();
});

async function serverFor(options: PeerOptions = {}) {
	const peer = await startSmtpPeer(options);
	peers.push(peer);
	return { peer, serverId: await createSinkServer(peer.port, `Sink ${peers.length}`) };
}

const message = (serverId: string, over: Partial<OutboxMessage> = {}): OutboxMessage => ({
	kind: 'email-otp',
	serverId,
	to: ['user@example.com'],
	subject: 'Your sign-in code',
	text: 'Your code is 123456',
	carriesSecret: true,
	...over
});

async function row(id: string) {
	const [found] = await db().select().from(tables.mailOutbox).where(eq(tables.mailOutbox.id, id));
	return found;
}

describe('the outbox', () => {
	it('delivers a message through the worker, with its Message-ID, and erases a secret body once sent', async () => {
		const { peer, serverId } = await serverFor();
		await startMailWorker();
		const id = await enqueue(message(serverId));
		const state = await awaitFirstAttempt(id, 10_000);
		expect(state.status).toBe('sent');
		expect(peer.messages).toHaveLength(1);
		const stored = await row(id);
		expect(peer.messages[0].messageId).toBe(stored.messageId);
		expect(peer.messages[0].text).toContain('123456');
		expect(stored.bodySealed).toBeNull();
		expect(stored.attempts).toBe(1);
		expect(stored.lastReply).toMatch(/^250/);
	});

	it('keeps the body of a message without a secret, sealed', async () => {
		const { serverId } = await serverFor();
		const id = await enqueue(message(serverId, { kind: 'notification', carriesSecret: false }));
		expect(await deliver(id)).toBe('sent');
		const stored = await row(id);
		expect(stored.bodySealed).not.toContain('123456');
		expect(JSON.parse(openSecret(stored.bodySealed!)).text).toBe('Your code is 123456');
	});

	it('parks a message refused with a 5xx reply as failed, with the reply and a diagnosis, and erases its secret', async () => {
		const { serverId } = await serverFor({ fault: 'rcpt-550-5.7.60' });
		const id = await enqueue(message(serverId));
		expect(await deliver(id)).toBe('failed');
		const stored = await row(id);
		expect(stored.status).toBe('failed');
		expect(stored.lastReply).toMatch(/550/);
		expect(stored.diagnosis?.title).toBeTruthy();
		expect(stored.bodySealed).toBeNull();
		// a message given up is not attempted again
		expect(await deliver(id)).toBe('nothing-to-do');
	});

	it('retries a transient failure (the connection drops) and keeps the body for the next attempt', async () => {
		const { serverId } = await serverFor({ fault: 'drop-on-connect' });
		const id = await enqueue(message(serverId));
		await expect(deliver(id)).rejects.toThrow(/attempt 1 failed/);
		const stored = await row(id);
		expect(stored.status).toBe('retrying');
		expect(stored.attempts).toBe(1);
		expect(stored.bodySealed).not.toBeNull();
		expect(stored.diagnosis?.title).toBeTruthy();
	});

	it('treats 421 at the greeting as "slow down": the server pauses and the attempt is given back', async () => {
		const { serverId } = await serverFor({ fault: 'greeting-421' });
		const id = await enqueue(message(serverId));
		expect(await deliver(id)).toBe('deferred');
		const stored = await row(id);
		expect(stored.status).toBe('queued');
		expect(stored.attempts).toBe(0);
	});

	it('opens at most the server’s connection limit at once, across the worker’s concurrency', async () => {
		const { peer, serverId } = await serverFor();
		await db()
			.update(tables.smtpServers)
			.set({ maxConnections: 2 })
			.where(eq(tables.smtpServers.id, serverId));
		let most = 0;
		const watch = setInterval(() => (most = Math.max(most, peer.openConnections())), 5);
		await startMailWorker();
		const ids = await Promise.all(
			Array.from({ length: 24 }, (_, i) => enqueue(message(serverId, { subject: `m${i}` })))
		);
		const t0 = Date.now();
		const progress = setInterval(
			() =>
				console.log('sent', peer.messages.length, Date.now() - t0, 'open', peer.openConnections()),
			1000
		);
		for (const id of ids) expect((await awaitFirstAttempt(id, 20_000)).status).toBe('sent');
		clearInterval(progress);
		clearInterval(watch);
		expect(peer.messages).toHaveLength(24);
		expect(most).toBeGreaterThan(0);
		expect(most).toBeLessThanOrEqual(2);
	});

	it('pauses a server that answers 432 4.3.2 instead of counting a failure, and defers its mail', async () => {
		const { serverId } = await serverFor({ fault: 'mail-432-4.3.2' });
		const id = await enqueue(message(serverId));
		expect(await deliver(id)).toBe('deferred');
		const stored = await row(id);
		expect(stored.status).toBe('queued');
		expect(stored.attempts).toBe(0);
		expect(stored.lastReply).toMatch(/432/);
		const gate = await readGate(serverId);
		expect(gate?.pausedUntil?.getTime()).toBeGreaterThan(Date.now() + 30_000);
		expect(gate?.pauseReason).toMatch(/slow down/);
		// while paused, the next attempt does not reach the server
		expect(await deliver(id)).toBe('deferred');
	});

	it('holds a server to its messages-per-minute limit', async () => {
		const { peer, serverId } = await serverFor();
		await db()
			.update(tables.smtpServers)
			.set({ messagesPerMinute: 3 })
			.where(eq(tables.smtpServers.id, serverId));
		const ids = [];
		for (let i = 0; i < 5; i++) ids.push(await enqueue(message(serverId, { subject: `n${i}` })));
		const outcomes = [];
		for (const id of ids) outcomes.push(await deliver(id));
		expect(outcomes).toEqual(['sent', 'sent', 'sent', 'deferred', 'deferred']);
		expect(peer.messages).toHaveLength(3);
	});

	it('never sends a message twice once it is sent', async () => {
		const { peer, serverId } = await serverFor();
		const id = await enqueue(message(serverId));
		expect(await deliver(id)).toBe('sent');
		expect(await deliver(id)).toBe('nothing-to-do');
		expect(peer.messages).toHaveLength(1);
	});

	it('enqueues once per dedupe key', async () => {
		const { serverId } = await serverFor();
		const first = await enqueue(message(serverId, { dedupeKey: 'launch:1:ops@example.com' }));
		const second = await enqueue(message(serverId, { dedupeKey: 'launch:1:ops@example.com' }));
		expect(second).toBe(first);
		const [{ count }] = await db()
			.select({ count: sql<number>`count(*)::int` })
			.from(tables.mailOutbox);
		expect(count).toBe(1);
	});

	it('writes nothing, neither message nor job, when the caller’s transaction rolls back', async () => {
		const { serverId } = await serverFor();
		await expect(
			db().transaction(async (tx) => {
				await enqueueInTransaction(tx as never, message(serverId));
				throw new Error('the caller changed its mind');
			})
		).rejects.toThrow('changed its mind');
		const [{ count }] = await db()
			.select({ count: sql<number>`count(*)::int` })
			.from(tables.mailOutbox);
		expect(count).toBe(0);
		expect(await mailQueue().getQueue(MAIL_QUEUE)).toMatchObject({ queuedCount: 0 });
	});

	it('refuses an unknown server and a header with a line break', async () => {
		await expect(enqueue(message('00000000-0000-4000-8000-000000000000'))).rejects.toThrow(
			/does not exist/
		);
		const { serverId } = await serverFor();
		await expect(
			enqueue(message(serverId, { subject: 'a\r\nBcc: x@example.com' }))
		).rejects.toThrow(/one line/);
	});
});
