/**
 * The outbox against a sink that misbehaves: 2,000 messages, of every SMTP transaction 10% answered 451, 10%
 * dropped mid-DATA and 5% refused 550. Every deliverable message is delivered exactly once, every refused one is
 * parked as failed with the server's reply, and the outbox's counts match the sink's.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { inArray, sql } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { startChaosSink, type ChaosSink } from '../testing/chaos-sink.js';
import { createSinkServer } from '../testing/sink-server.js';
import { closeAllTransports } from '../mail/transport.js';
import { enqueue } from './enqueue.js';
import { startMailQueue, stopMailQueue } from './queue.js';
import { startMailWorker, stopMailWorker } from './worker.js';

const MESSAGES = 2000;
let database: Database;
let sink: ChaosSink;

beforeEach(async () => {
	database = await freshTestDatabase();
	await startMailQueue(database, { retryDelaySeconds: 1 });
});
afterEach(async () => {
	await stopMailWorker();
	await stopMailQueue();
	await closeAllTransports();
	await sink?.close();
	await database.close();
});

it('delivers every deliverable message once and parks every refused one, with exact counts', async () => {
	sink = await startChaosSink({ tempFail: 0.1, drop: 0.1, reject: 0.05, seed: 2026 });
	const serverId = await createSinkServer(sink.port, 'Chaos');
	await db()
		.update(tables.smtpServers)
		.set({ maxConnections: 5 })
		.where(sql`${tables.smtpServers.id} = ${serverId}`);

	for (let i = 0; i < MESSAGES; i += 100)
		await Promise.all(
			Array.from({ length: 100 }, (_, j) =>
				enqueue({
					kind: 'notification',
					serverId,
					to: [`user${i + j}@example.com`],
					subject: `Launch ${i + j}`,
					text: `Application launched (${i + j})`,
					carriesSecret: false
				})
			)
		);
	await startMailWorker();

	const deadline = Date.now() + 240_000;
	for (;;) {
		const [{ unfinished }] = await db()
			.select({ unfinished: sql<number>`count(*)::int` })
			.from(tables.mailOutbox)
			.where(inArray(tables.mailOutbox.status, ['queued', 'sending', 'retrying']));
		if (unfinished === 0) break;
		if (Date.now() > deadline) throw new Error(`${unfinished} messages still unfinished`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}

	const rows = await db()
		.select({
			messageId: tables.mailOutbox.messageId,
			status: tables.mailOutbox.status,
			lastReply: tables.mailOutbox.lastReply
		})
		.from(tables.mailOutbox);
	const sent = rows.filter((r) => r.status === 'sent');
	const failed = rows.filter((r) => r.status === 'failed');
	expect(rows).toHaveLength(MESSAGES);
	expect(sent.length + failed.length).toBe(MESSAGES);
	// the sink saw each sent message exactly once, and nothing else
	expect(sink.accepted).toHaveLength(new Set(sink.accepted).size);
	expect(new Set(sink.accepted)).toEqual(new Set(sent.map((r) => r.messageId)));
	// every 550 parked its message with the reply; no other failure was given up
	expect(failed.length).toBe(sink.counts.rejected);
	for (const row of failed) expect(row.lastReply).toMatch(/^550 5\.7\.1/);
	// the chaos really happened
	expect(sink.counts.tempFailed).toBeGreaterThan(100);
	expect(sink.counts.dropped).toBeGreaterThan(100);
	expect(sink.counts.rejected).toBeGreaterThan(50);
	console.log(
		`chaos: ${sent.length} sent, ${failed.length} parked; sink: ${JSON.stringify(sink.counts)}`
	);
}, 300_000);
