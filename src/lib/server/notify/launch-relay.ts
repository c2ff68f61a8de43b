/**
 * Turns launches into notifications. A launch is written with `notify_pending` in its own transaction (the
 * transactional-outbox pattern: the launch row is the notification's outbox entry), so the launch costs no more
 * with thirty recipients than with none, and its mail can never be lost: this relay queues it in a transaction
 * that clears the flag, so a launch's notifications are queued exactly once, after a crash too.
 *
 * The instance that recorded the launch relays it at once (nudgeLaunchRelay); a sweep every few seconds picks up
 * what a stopped instance left. `FOR UPDATE SKIP LOCKED` lets several instances relay side by side without
 * taking the same launch.
 */
import { asc, inArray } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import { db, tables, type Db } from '../db/index.js';
import { nudgeMailWorker } from '../outbox/worker.js';
import { queueLaunchNotifications } from './launch-mail.js';
import { log } from '../log.js';

/** Launches relayed per transaction: a burst of launches is queued in a few transactions, not one each. */
const BATCH = 25;
const SWEEP_MS = 5_000;

let running: Promise<void> | null = null;
let again = false;
let sweep: ReturnType<typeof setInterval> | null = null;

/** Relays every pending launch; returns how many messages it queued. */
export async function relayPendingLaunches(): Promise<number> {
	let queued = 0;
	for (;;) {
		const batch = await db().transaction(async (transaction) => {
			const tx = transaction as unknown as Db;
			const launches = await tx
				.select()
				.from(tables.launches)
				.where(sql`${tables.launches.notifyPending}`)
				.orderBy(asc(tables.launches.at))
				.limit(BATCH)
				.for('update', { skipLocked: true });
			let messages = 0;
			for (const launch of launches) messages += await queueLaunchNotifications(tx, launch);
			if (launches.length)
				await tx
					.update(tables.launches)
					.set({ notifyPending: false })
					.where(
						inArray(
							tables.launches.id,
							launches.map((l) => l.id)
						)
					);
			return { launches: launches.length, messages };
		});
		queued += batch.messages;
		if (batch.messages) nudgeMailWorker();
		if (batch.launches < BATCH) return queued;
	}
}

/**
 * Relays soon, without making the caller wait. A nudge during a relay makes it go round once more, so a
 * launch committed meanwhile is not left to the sweep.
 */
export function nudgeLaunchRelay(): void {
	if (running) {
		again = true;
		return;
	}
	running = (async () => {
		do {
			again = false;
			try {
				await relayPendingLaunches();
			} catch (error) {
				log.warn(
					{ event: 'launch_relay_failed', err: error },
					'launch notifications will be retried'
				);
			}
		} while (again);
	})().finally(() => {
		running = null;
	});
}

/** Resolves once no relay is in progress (tests, benchmarks). */
export async function launchRelayIdle(): Promise<void> {
	while (running) await running;
}

export function startLaunchRelay(): void {
	if (sweep) return;
	sweep = setInterval(nudgeLaunchRelay, SWEEP_MS);
	sweep.unref();
	// what a previous run left pending
	nudgeLaunchRelay();
}

/** Stops the sweep and waits for a relay in progress. */
export async function stopLaunchRelay(): Promise<void> {
	if (sweep) clearInterval(sweep);
	sweep = null;
	await running;
}
