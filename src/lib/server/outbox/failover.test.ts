/**
 * Failover between two real SMTP servers (smtp-server sinks on loopback): 400 messages go to a primary with a
 * fallback; the primary stops mid-run. Every message arrives, once, at one of the two; those that moved say
 * so in the mail log (the server they failed over from) and were sent by the fallback. A failure about the
 * message itself (550) does not move it, and a message without a fallback stays where it is.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { startSmtpPeer, type SmtpPeer } from '../testing/smtp-peers.js';
import { createSinkServer } from '../testing/sink-server.js';
import { closeAllTransports } from '../mail/transport.js';
import { enqueue } from './enqueue.js';
import { startMailQueue, stopMailQueue } from './queue.js';
import { deliver, startMailWorker, stopMailWorker } from './worker.js';
import { listMailLog } from './log.js';

const MESSAGES = 400;
let database: Database;
let peers: SmtpPeer[] = [];

beforeEach(async () => {
	database = await freshTestDatabase();
	await startMailQueue(database, { retryDelaySeconds: 1 });
});
afterEach(async () => {
	await stopMailWorker();
	await stopMailQueue();
	await closeAllTransports();
	await Promise.all(peers.map((p) => p.close().catch(() => undefined)));
	peers = [];
	await database.close();
});

async function peer(options: Parameters<typeof startSmtpPeer>[0] = {}) {
	const started = await startSmtpPeer(options);
	peers.push(started);
	return started;
}

const message = (serverId: string, fallbackServerId: string | null, i: number) => ({
	kind: 'notification' as const,
	serverId,
	fallbackServerId,
	to: [`user${i}@example.com`],
	subject: `Launch ${i}`,
	text: `Application launched (${i})`,
	carriesSecret: false
});

async function settled(timeoutMs = 120_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const [{ unfinished }] = await db()
			.select({ unfinished: sql<number>`count(*)::int` })
			.from(tables.mailOutbox)
			.where(inArray(tables.mailOutbox.status, ['queued', 'sending', 'retrying']));
		if (unfinished === 0) return;
		if (Date.now() > deadline) throw new Error(`${unfinished} messages still unfinished`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

it('moves messages to the fallback when their server stops mid-run: nothing lost, nothing twice', async () => {
	const first = await peer();
	const second = await peer();
	const primary = await createSinkServer(first.port, 'Primary');
	const fallback = await createSinkServer(second.port, 'Fallback');
	for (let i = 0; i < MESSAGES; i += 100)
		await Promise.all(
			Array.from({ length: 100 }, (_, j) => enqueue(message(primary, fallback, i + j)))
		);
	await startMailWorker();
	while (first.messages.length < 100) await new Promise((resolve) => setTimeout(resolve, 5));
	await first.close();
	await settled();

	const rows = await db().select().from(tables.mailOutbox);
	expect(rows.filter((r) => r.status === 'sent')).toHaveLength(MESSAGES);
	const arrived = [...first.messages, ...second.messages].map((m) => m.messageId);
	// nothing lost, nothing twice
	expect(arrived).toHaveLength(MESSAGES);
	expect(new Set(arrived)).toEqual(new Set(rows.map((r) => r.messageId)));
	// what the fallback sent is what the log says failed over, each from the primary, its reply recorded
	const moved = rows.filter((r) => r.failedOverFrom !== null);
	expect(moved.length).toBe(second.messages.length);
	expect(moved.length).toBeGreaterThan(0);
	for (const row of moved)
		expect(row).toMatchObject({
			failedOverFrom: 'Primary',
			serverId: fallback,
			serverName: 'Fallback',
			fallbackServerId: null
		});
	expect(new Set(second.messages.map((m) => m.messageId))).toEqual(
		new Set(moved.map((r) => r.messageId))
	);
	// the mail log says where each moved message came from
	const logged = await listMailLog({ serverId: fallback }, null, 500);
	expect(logged.entries.every((e) => e.failedOverFrom === 'Primary')).toBe(true);
	expect(logged.entries).toHaveLength(moved.length);
	console.log(
		`failover: ${first.messages.length} through the primary, ${second.messages.length} moved to the fallback`
	);
}, 180_000);

it('a refusal of the message itself (550) does not move it; no fallback, no move', async () => {
	const refusing = await peer();
	refusing.refusedRecipients.add('refused@example.com');
	const other = await peer();
	const primary = await createSinkServer(refusing.port, 'Refusing');
	const fallback = await createSinkServer(other.port, 'Other');
	const refused = await enqueue({ ...message(primary, fallback, 1), to: ['refused@example.com'] });
	expect(await deliver(refused)).toBe('failed');

	// a server that is down, and no fallback: the message stays and is retried where it is
	const down = await createSinkServer(1, 'Down');
	const alone = await enqueue(message(down, null, 2));
	await expect(deliver(alone)).rejects.toThrow(/attempt 1 failed/);
	const [row] = await db().select().from(tables.mailOutbox).where(eq(tables.mailOutbox.id, alone));
	expect(row).toMatchObject({ status: 'retrying', serverName: 'Down', failedOverFrom: null });
	expect(other.messages).toHaveLength(0);
});

it('a server that refuses to sign Postern in fails over too', async () => {
	const locked = await peer({ auth: 'basic' });
	const other = await peer();
	const primary = await createSinkServer(locked.port, 'Locked');
	await db()
		.update(tables.smtpServers)
		.set({ auth: 'basic', username: 'wrong' })
		.where(eq(tables.smtpServers.id, primary));
	const fallback = await createSinkServer(other.port, 'Other');
	const id = await enqueue(message(primary, fallback, 3));
	expect(await deliver(id)).toBe('deferred');
	const [row] = await db().select().from(tables.mailOutbox).where(eq(tables.mailOutbox.id, id));
	expect(row).toMatchObject({ status: 'queued', serverName: 'Other', failedOverFrom: 'Locked' });
	expect(row.diagnosis?.phase).toBe('auth');
	expect(await deliver(id)).toBe('sent');
	expect(other.messages).toHaveLength(1);
});
