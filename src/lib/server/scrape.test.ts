import { afterEach, beforeEach, expect, it } from 'vitest';
import { freshTestDatabase } from './testing/db.js';
import type { Database } from './db/index.js';
import { startSmtpPeer, type SmtpPeer } from './testing/smtp-peers.js';
import { createSinkServer } from './testing/sink-server.js';
import { closeAllTransports } from './mail/transport.js';
import { startMailQueue, stopMailQueue } from './outbox/queue.js';
import { enqueue } from './outbox/enqueue.js';
import { deliver } from './outbox/worker.js';
import { scrapeMetrics } from './scrape.js';

const TOKEN = 'a'.repeat(40);
let database: Database;
let peer: SmtpPeer;
beforeEach(async () => {
	database = await freshTestDatabase();
	await startMailQueue(database);
	peer = await startSmtpPeer();
});
afterEach(async () => {
	await stopMailQueue();
	await closeAllTransports();
	await peer.close();
	await database.close();
});

it('answers 404 without a configured token and 401 to a missing or wrong one', async () => {
	expect((await scrapeMetrics(`Bearer ${TOKEN}`, undefined)).status).toBe(404);
	expect((await scrapeMetrics(null, TOKEN)).status).toBe(401);
	expect((await scrapeMetrics(`Bearer ${TOKEN}x`, TOKEN)).status).toBe(401);
	expect((await scrapeMetrics(`Basic ${TOKEN}`, TOKEN)).status).toBe(401);
});

it('reports attempts by kind and outcome, delivery latency and the shared queue depth', async () => {
	const serverId = await createSinkServer(peer.port);
	const message = {
		kind: 'notification' as const,
		serverId,
		to: ['ops@example.com'],
		subject: 'Hello',
		text: 'Hello',
		carriesSecret: false
	};
	expect(await deliver(await enqueue(message))).toBe('sent');
	await enqueue(message);
	await enqueue(message);
	const answer = await scrapeMetrics(`Bearer ${TOKEN}`, TOKEN);
	expect(answer.status).toBe(200);
	const text = answer.body;
	expect(text).toMatch(/postern_mail_attempts_total\{kind="notification",outcome="sent"\} [1-9]/);
	expect(text).toMatch(/postern_mail_delivery_seconds_count\{kind="notification"\} [1-9]/);
	expect(text).toContain('postern_mail_queue_depth{status="queued"} 2');
	expect(text).toContain('postern_mail_finished_24h{status="sent"} 1');
	expect(text).toContain('# TYPE postern_smtp_tests_total counter');
});
