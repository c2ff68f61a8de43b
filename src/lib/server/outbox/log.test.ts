import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { startSmtpPeer, type PeerOptions, type SmtpPeer } from '../testing/smtp-peers.js';
import { createSinkServer } from '../testing/sink-server.js';
import { closeAllTransports } from '../mail/transport.js';
import { enqueue } from './enqueue.js';
import { startMailQueue, stopMailQueue } from './queue.js';
import { deliver, stopMailWorker } from './worker.js';
import {
	decodeCursor,
	listMailLog,
	pruneMailLog,
	readHourlyChart,
	readMailCounts,
	readServerDeliverySummary
} from './log.js';
import { pauseServer } from './gate.js';
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
	kind: 'notification',
	serverId,
	to: ['user@example.com'],
	subject: 'Application launched',
	text: 'Someone launched an application',
	carriesSecret: false,
	...over
});

/** Writes `n` rows straight into the table, one second apart (the log's reads, without sending). */
async function seedRows(serverId: string, n: number, over: Record<string, unknown> = {}) {
	const base = Date.parse('2026-12-01T12:00:00Z');
	const rows = Array.from({ length: n }, (_, i) => ({
		kind: (i % 2 ? 'notification' : 'email-otp') as 'notification' | 'email-otp',
		serverId,
		serverName: 'Sink',
		fromAddress: 'noreply@example.com',
		recipients: [`user${i % 5}@example.com`],
		subject: `Message ${i}`,
		carriesSecret: false,
		messageId: `<seed-${i}-${Math.random()}@example.com>`,
		status: (i % 10 === 0 ? 'failed' : 'sent') as 'failed' | 'sent',
		maxAttempts: 8,
		// several rows share a timestamp, so the id must break ties
		createdAt: new Date(base + Math.floor(i / 3) * 1000),
		...over
	}));
	await db().insert(tables.mailOutbox).values(rows);
}

describe('the mail log', () => {
	it('pages newest first by keyset, every row once, with filters, whatever ties in time', async () => {
		const { serverId } = await serverFor();
		await seedRows(serverId, 130);
		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const page: Awaited<ReturnType<typeof listMailLog>> = await listMailLog({}, cursor, 25);
			seen.push(...page.entries.map((e) => e.subject));
			cursor = page.next;
			pages++;
			for (let i = 1; i < page.entries.length; i++)
				expect(page.entries[i - 1].createdAt >= page.entries[i].createdAt).toBe(true);
		} while (cursor);
		expect(pages).toBe(6);
		expect(seen).toHaveLength(130);
		expect(new Set(seen).size).toBe(130);

		const failed = await listMailLog({ status: 'failed' }, null, 100);
		expect(failed.entries).toHaveLength(13);
		const toOne = await listMailLog({ recipient: 'USER3@example.com' }, null, 100);
		expect(toOne.entries.length).toBe(26);
		expect(toOne.entries.every((e) => e.recipients.includes('user3@example.com'))).toBe(true);
		const codes = await listMailLog({ kind: 'email-otp', serverId }, null, 100);
		expect(codes.entries).toHaveLength(65);
		expect(decodeCursor('not a cursor')).toBeNull();
	});

	it('pages through rows written in one transaction (one timestamp, to the microsecond) without skipping any', async () => {
		const { serverId } = await serverFor();
		// a group commit writes its rows with one now(): a page boundary falls inside such a run of ties
		await seedRows(serverId, 60, {
			createdAt: sql`'2026-12-01T12:00:00.123456Z'::timestamptz`
		});
		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const page: Awaited<ReturnType<typeof listMailLog>> = await listMailLog({}, cursor, 25);
			seen.push(...page.entries.map((e) => e.subject));
			cursor = page.next;
		} while (cursor);
		expect(new Set(seen).size).toBe(60);
		expect(seen).toHaveLength(60);
	});

	it('uses its indexes: a page, a recipient and a status filter do not scan the table', async () => {
		const { serverId } = await serverFor();
		await seedRows(serverId, 2000);
		await db().execute(sql`analyze mail_outbox`);
		await db().execute(sql`set enable_seqscan = off`);
		const plan = async (query: ReturnType<typeof sql>) => {
			const result = await db().execute(sql`explain ${query}`);
			return JSON.stringify((result as unknown as { rows: unknown[] }).rows);
		};
		// the planner may not choose an index on a small table unless sequential scans are off; with them off, a
		// query that has no usable index still shows "Seq Scan"
		expect(
			await plan(sql`select id from mail_outbox order by created_at desc, id desc limit 51`)
		).toContain('mail_outbox_created_idx');
		expect(
			await plan(
				sql`select id from mail_outbox where recipients @> array['user1@example.com']::text[] order by created_at desc limit 51`
			)
		).not.toContain('Seq Scan');
		expect(
			await plan(
				sql`select id from mail_outbox where status = 'failed' order by created_at desc limit 51`
			)
		).toContain('mail_outbox_status_idx');
		await db().execute(sql`set enable_seqscan = on`);
	});

	it('counts, charts by hour, and prunes only finished rows older than the retention age', async () => {
		const { serverId } = await serverFor();
		const now = new Date();
		const hourAgo = new Date(now.getTime() - 3_600_000);
		await seedRows(serverId, 10, { createdAt: hourAgo });
		await seedRows(serverId, 3, { createdAt: now, status: 'queued' });
		await seedRows(serverId, 4, { createdAt: new Date(now.getTime() - 40 * 86_400_000) });
		const counts = await readMailCounts(now);
		expect(counts).toMatchObject({ queued: 3, sent24h: 9, failed24h: 1 });
		const chart = await readHourlyChart(48, now);
		expect(chart).toHaveLength(48);
		expect(chart.reduce((n, b) => n + b.sent, 0)).toBe(9);
		expect(chart.reduce((n, b) => n + b.failed, 0)).toBe(1);
		expect(chart[46]).toMatchObject({ sent: 9, failed: 1 });

		expect(await pruneMailLog(new Date(now.getTime() - 30 * 86_400_000), 2)).toBe(4);
		const [left] = await db()
			.select({ n: sql<number>`count(*)::int` })
			.from(tables.mailOutbox);
		expect(left.n).toBe(13);
	});

	it('sums up a server: queue depth, last delivery and failure, and a pause', async () => {
		const { serverId } = await serverFor();
		const { serverId: refusing } = await serverFor({ fault: 'rcpt-550-5.7.60' });
		expect((await readServerDeliverySummary(serverId)).lastDeliveryAt).toBeNull();
		expect(await deliver(await enqueue(message(serverId)))).toBe('sent');
		await enqueue(message(serverId));
		expect(await deliver(await enqueue(message(refusing)))).toBe('failed');
		const summary = await readServerDeliverySummary(serverId);
		expect(summary.queueDepth).toBe(1);
		expect(summary.lastDeliveryAt).toBeInstanceOf(Date);
		expect(summary.lastFailure).toBeNull();
		const other = await readServerDeliverySummary(refusing);
		expect(other.lastFailure).toMatchObject({ status: 'failed' });
		expect(other.lastFailure?.reply).toMatch(/^550/);
		expect(other.lastFailure?.diagnosisTitle).toBeTruthy();
		await pauseServer(serverId, new Date(Date.now() + 60_000), 'the server asked to slow down');
		expect((await readServerDeliverySummary(serverId)).paused?.reason).toBe(
			'the server asked to slow down'
		);
	});

	it('shows when a waiting message is tried next', async () => {
		const { serverId } = await serverFor({ fault: 'drop-on-connect' });
		const id = await enqueue(message(serverId));
		const [job] = await db()
			.select({ jobId: tables.mailOutbox.jobId })
			.from(tables.mailOutbox)
			.where(eq(tables.mailOutbox.id, id));
		expect(job.jobId).toBeTruthy();
		const page = await listMailLog({}, null);
		expect(page.entries[0].nextAttemptAt).toBeInstanceOf(Date);
	});

	it('never holds a code, a key or a link once each message is done (every column scanned)', async () => {
		const { serverId } = await serverFor();
		const { serverId: refusing } = await serverFor({ fault: 'rcpt-550-5.7.60' });
		const secrets = [
			'code 493817',
			'key JBSWY3DPEHPK3PXP',
			'https://postern.test/admin/reset?token=abc123xyz'
		];
		for (const [i, secret] of secrets.entries()) {
			const kind = (['email-otp', 'totp-key', 'reset-link'] as const)[i];
			for (const server of [serverId, refusing])
				await deliver(
					await enqueue(message(server, { kind, text: `Your ${secret}`, carriesSecret: true }))
				);
		}
		const result = await db().execute(sql`select row_to_json(m)::text as line from mail_outbox m`);
		const dump = (result as unknown as { rows: { line: string }[] }).rows
			.map((r) => r.line)
			.join('\n');
		const [kept] = await db()
			.select({ n: sql<number>`count(*)::int` })
			.from(tables.mailOutbox)
			.where(sql`carries_secret and body_sealed is not null`);
		expect(kept.n).toBe(0);
		expect(dump).toContain('"status":"sent"');
		expect(dump).toContain('"status":"failed"');
		for (const secret of ['493817', 'JBSWY3DPEHPK3PXP', 'abc123xyz'])
			expect(dump).not.toContain(secret);
		// the page's data too
		const page = JSON.stringify(await listMailLog({}, null));
		for (const secret of ['493817', 'JBSWY3DPEHPK3PXP', 'abc123xyz'])
			expect(page).not.toContain(secret);
	});
});
