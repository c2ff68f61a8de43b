/**
 * A portal launch's latency with notifications: recordLaunch (the portal's own code path: the launch record,
 * its notifications, the audit entry) of an application that three enabled profiles of ten recipients each
 * list, against a launch of an application no profile lists, in the same run, on the same database, with the
 * launch relay queueing the notifications and the outbox worker delivering them to a local sink (in its own
 * process) as in production. Each launch is timed from a quiet system (the previous one's mail queued and
 * delivered), so the figure is what a user waits for; the background's own speed is the fan-out benchmark's. Target: ours ≤ 1.1 × the
 * launch without notifications, at p50. Runs alternate which goes first, so load hits both alike. Fails when
 * the figure misses its target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../src/lib/server/testing/db.js';
import { db, tables, type Database } from '../src/lib/server/db/index.js';
import { startOutbox, stopOutbox } from '../src/lib/server/outbox/lifecycle.js';
import { recordLaunch } from '../src/lib/server/login/portal.js';
import type { UserSession } from '../src/lib/server/login/sessions.js';
import { createNotificationProfile } from '../src/lib/server/notify/profiles.js';
import { startNotifications, stopNotifications } from '../src/lib/server/notify/lifecycle.js';
import { launchRelayIdle, relayPendingLaunches } from '../src/lib/server/notify/launch-relay.js';
import { sql } from 'drizzle-orm';
import { notificationProfileDefaults } from '../src/lib/schemas/notification-profiles.js';
import { mergeResults, percentile, type BenchResult } from './results.js';
import { startSink, type Sink } from './sinks.js';

const RUNS = 200;
const WARM_UP = 20;
const TARGET = 1.1;
const PROFILES = 3;
const RECIPIENTS = 10;
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:146.0) Gecko/20100101 Firefox/146.0';

let database: Database;
let sink: Sink;
let user: UserSession;
let notified = '';
let quiet = '';

beforeAll(async () => {
	sink = await startSink('smtp-server');
	database = await freshTestDatabase();
	const [server] = await db()
		.insert(tables.smtpServers)
		.values({
			name: 'Bench sink',
			host: '127.0.0.1',
			port: sink.port,
			security: 'none',
			fromAddress: 'noreply@postern.test'
		})
		.returning();
	const [domain] = await db()
		.insert(tables.domains)
		.values({ kind: 'local', name: 'bench.example', emailAttribute: 'email' })
		.returning();
	const apps = await db()
		.insert(tables.applications)
		.values([
			{ name: 'Notified', url: 'https://notified.example/' },
			{ name: 'Quiet', url: 'https://quiet.example/' }
		])
		.returning();
	notified = apps[0].id;
	quiet = apps[1].id;
	for (let p = 0; p < PROFILES; p++) {
		const created = await createNotificationProfile(
			{
				...notificationProfileDefaults,
				name: `Profile ${p}`,
				smtpServerId: server.id,
				recipients: Array.from({ length: RECIPIENTS }, (_, r) => `p${p}r${r}@example.com`),
				applicationIds: [notified]
			},
			{ actor: 'bench' }
		);
		if (!created.ok) throw new Error(created.message);
	}
	user = {
		id: 'bench',
		domainId: domain.id,
		domainName: domain.name,
		userId: null,
		personKey: 'jdoe',
		username: 'jdoe',
		displayName: 'J. Doe',
		email: null,
		signedInAt: new Date(),
		expiresAt: new Date(Date.now() + 3600_000)
	};
	await startOutbox(database);
	await startNotifications();
});
afterAll(async () => {
	await stopNotifications();
	await stopOutbox();
	await database?.close();
	await sink?.close();
});

describe('portal launch', () => {
	it(`with ${PROFILES} profiles of ${RECIPIENTS} recipients, within ${TARGET} × a launch with none`, async () => {
		const launch = (appId: string) => async () => {
			const result = await recordLaunch(user, appId, '203.0.113.7', UA);
			if (!result.ok) throw new Error(result.message);
		};
		// Each launch starts from a quiet system: the previous launch's notifications queued and delivered, so
		// what is timed is what the user waits for, in both cases alike. (How fast the background delivers is
		// the fan-out benchmark's figure.)
		const settle = async () => {
			await launchRelayIdle();
			for (;;) {
				const [row] = await db()
					.select({ n: sql<number>`count(*)::int` })
					.from(tables.mailOutbox)
					.where(sql`${tables.mailOutbox.status} in ('queued', 'sending', 'retrying')`);
				if (row.n === 0) return;
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
		};
		const runs = { ours: [] as number[], baseline: [] as number[] };
		/** From a launch to its 30 notifications accepted by the sink: the background's share, for the record. */
		const delivered: number[] = [];
		const order: [() => Promise<void>, keyof typeof runs][] = [
			[launch(notified), 'ours'],
			[launch(quiet), 'baseline']
		];
		for (let i = 0; i < WARM_UP + RUNS; i++)
			for (let k = 0; k < order.length; k++) {
				const [fn, name] = order[(i + k) % order.length];
				const t0 = performance.now();
				await fn();
				if (i >= WARM_UP) runs[name].push(performance.now() - t0);
				await settle();
				if (i >= WARM_UP && name === 'ours') delivered.push(performance.now() - t0);
			}
		await relayPendingLaunches();
		const messages = await db().$count(tables.mailOutbox);
		expect(messages).toBe((WARM_UP + RUNS) * PROFILES * RECIPIENTS);

		const round3 = (v: number) => Math.round(v * 1000) / 1000;
		const results: BenchResult[] = [50, 99].map((p) => {
			const a = percentile(runs.ours, p);
			const b = percentile(runs.baseline, p);
			return {
				name: `portal launch p${p} with ${PROFILES} notification profiles × ${RECIPIENTS} recipients vs a launch with none`,
				ours: round3(a),
				baseline: round3(b),
				unit: 'ms',
				ratio: round3(a / b),
				target: TARGET,
				better: 'lower' as const
			};
		});
		for (const r of results)
			console.log(
				`${r.ratio <= r.target ? 'ok  ' : 'SLOW'} ${r.name}, ${RUNS} runs\n     ours ${r.ours.toFixed(2)} ms, baseline ${r.baseline.toFixed(2)} ms, ratio ${r.ratio.toFixed(3)} (target ≤ ${r.target})`
			);
		console.log(
			`     in the background, the ${PROFILES * RECIPIENTS} notifications were at the sink ${percentile(delivered, 50).toFixed(1)} ms (p50), ${percentile(delivered, 99).toFixed(1)} ms (p99) after the launch`
		);
		mergeResults(results);
		// the target is on the median; p99 is recorded for the record
		expect(results[0].ratio).toBeLessThanOrEqual(TARGET);
	});
});
