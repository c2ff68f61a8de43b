/**
 * One outbox instance, run as its own process by testing/instance.ts: opens the database it is given, enqueues
 * what it is told to, delivers, and reports. Not a test of its own: the tests that start it check the outcome.
 */
import { it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { useSecretKey } from '../secrets.js';
import { openDatabase } from '../db/open.js';
import { db, tables, useDatabase } from '../db/index.js';
import { createSinkServer } from '../testing/sink-server.js';
import { enqueue } from './enqueue.js';
import { startMailQueue } from './queue.js';
import { deliveredByThisProcess, startMailWorker } from './worker.js';

const env = process.env;

it('runs an outbox instance', async () => {
	useSecretKey(Buffer.alloc(32, 7));
	const database = await openDatabase(
		env.INSTANCE_DATABASE_URL
			? { kind: 'postgres', url: env.INSTANCE_DATABASE_URL }
			: { kind: 'pglite', dataDir: env.INSTANCE_DATA_DIR! }
	);
	useDatabase(database);
	await startMailQueue(database, { retryDelaySeconds: 1 });
	const toEnqueue = Number(env.INSTANCE_ENQUEUE ?? 0);
	if (toEnqueue > 0) {
		const serverId = await sinkServer(Number(env.INSTANCE_SINK_PORT));
		for (let i = 0; i < toEnqueue; i += 100)
			await Promise.all(
				Array.from({ length: Math.min(100, toEnqueue - i) }, (_, j) =>
					enqueue({
						kind: 'notification',
						serverId,
						to: [`user${i + j}@example.com`],
						subject: `Message ${i + j}`,
						text: `Message number ${i + j}`,
						carriesSecret: false
					})
				)
			);
	}
	if (env.INSTANCE_ENQUEUE_ONLY) {
		console.log('INSTANCE READY');
		process.exit(0);
	}
	await startMailWorker();
	console.log('INSTANCE READY');
	for (;;) {
		await new Promise((resolve) => setTimeout(resolve, 200));
		if (!env.INSTANCE_EXIT_WHEN_DONE) continue;
		const [{ unfinished }] = await db()
			.select({ unfinished: sql<number>`count(*)::int` })
			.from(tables.mailOutbox)
			.where(inArray(tables.mailOutbox.status, ['queued', 'sending', 'retrying']));
		if (unfinished > 0) continue;
		const rows = await db()
			.select({ status: tables.mailOutbox.status, n: sql<number>`count(*)::int` })
			.from(tables.mailOutbox)
			.groupBy(tables.mailOutbox.status);
		const summary = Object.fromEntries(rows.map((r) => [r.status, r.n]));
		console.log(
			`INSTANCE DELIVERED ${deliveredByThisProcess()}\nINSTANCE DONE ${JSON.stringify(summary)}`
		);
		// exit at once, like a process that is done: the test owns nothing here that needs closing
		process.exit(0);
	}
});

async function sinkServer(port: number): Promise<string> {
	const [existing] = await db()
		.select({ id: tables.smtpServers.id })
		.from(tables.smtpServers)
		.where(eq(tables.smtpServers.name, 'Sink'));
	const id = existing?.id ?? (await createSinkServer(port));
	if (env.INSTANCE_MAX_CONNECTIONS)
		await db()
			.update(tables.smtpServers)
			.set({ maxConnections: Number(env.INSTANCE_MAX_CONNECTIONS) })
			.where(eq(tables.smtpServers.id, id));
	return id;
}
