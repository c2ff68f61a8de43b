/**
 * The mail queue: pg-boss on the database Postern already runs on (PGlite in-process, or PostgreSQL shared by
 * every instance). pg-boss owns what a job queue must get right (claiming a job once across instances, retries
 * with exponential backoff and jitter, expiry of a job whose worker died); the outbox table (store.ts) owns
 * what the admin sees.
 *
 * Started by both boot paths (startup.ts, mock mode) and stopped gracefully on shutdown: the worker finishes
 * the message in hand, and anything not finished stays in the database for the next start.
 */
import { PgBoss, fromPglite } from 'pg-boss';
import type { Database } from '../db/index.js';
import { log } from '../log.js';

export const MAIL_QUEUE = 'mail';

/** Attempts before a message that keeps failing transiently is given up (parked as failed). */
export const MAX_ATTEMPTS = 8;
/** Backoff: 5 s, 10 s, 20 s ... with jitter, never more than 15 minutes between attempts. */
const RETRY_DELAY_SECONDS = 5;
const RETRY_DELAY_MAX_SECONDS = 900;
/** A worker that died mid-send: its job is retried after this long (PostgreSQL; PGlite recovers at start). */
const EXPIRE_SECONDS = 120;

let boss: PgBoss | null = null;
let stopping: Promise<void> | null = null;

export interface QueueOptions {
	/** The first retry's delay (doubling from there); tests shorten it. */
	retryDelaySeconds?: number;
}

export async function startMailQueue(
	database: Database,
	options: QueueOptions = {}
): Promise<PgBoss> {
	if (boss) return boss;
	const instance =
		database.kind === 'pglite' && database.pglite
			? new PgBoss({
					backend: 'pglite',
					db: fromPglite(database.pglite),
					useListenNotify: true,
					supervise: true,
					schedule: true
				})
			: new PgBoss({
					connectionString: connectionStringOf(database),
					max: 4,
					useListenNotify: true,
					schedule: true
				});
	instance.on('error', (error) =>
		log.warn({ event: 'mail_queue_error', err: error }, 'mail queue error')
	);
	await instance.start();
	const policy = {
		retryLimit: MAX_ATTEMPTS - 1,
		retryBackoff: true,
		retryDelay: options.retryDelaySeconds ?? RETRY_DELAY_SECONDS,
		retryDelayMax: RETRY_DELAY_MAX_SECONDS,
		expireInSeconds: EXPIRE_SECONDS
	};
	await instance.createQueue(MAIL_QUEUE, policy);
	// an existing queue keeps the options it was created with: bring them up to this version's
	await instance.updateQueue(MAIL_QUEUE, policy);
	if (database.kind === 'pglite') await recoverOrphans(instance, database);
	boss = instance;
	return instance;
}

/**
 * PGlite is one process: a job still `active` at start-up belonged to a process that is gone, so it is failed
 * back to retry now instead of after the expiry (its message keeps its Message-ID).
 */
async function recoverOrphans(instance: PgBoss, database: Database) {
	const { rows } = await database.pglite!.query<{ id: string }>(
		"select id from pgboss.job where name = $1 and state = 'active'",
		[MAIL_QUEUE]
	);
	const ids = rows.map((row) => row.id);
	if (ids.length) {
		await instance.fail(MAIL_QUEUE, ids, { message: 'the process stopped during delivery' });
		log.info(
			{ event: 'mail_queue_recovered', jobs: ids.length },
			'mail interrupted by a stop is retried'
		);
	}
}

function connectionStringOf(database: Database): string {
	const options = (database.pool as unknown as { options?: { connectionString?: string } })
		?.options;
	if (!options?.connectionString)
		throw new Error('the mail queue needs the PostgreSQL connection string');
	return options.connectionString;
}

export function mailQueue(): PgBoss {
	if (!boss) throw new Error('the mail queue is not started');
	return boss;
}

export function mailQueueStarted(): boolean {
	return boss !== null;
}

/** Stops workers (finishing the message in hand, up to `timeoutMs`) and the queue's maintenance. */
export async function stopMailQueue(timeoutMs = 10_000): Promise<void> {
	if (!boss) return stopping ?? undefined;
	const instance = boss;
	boss = null;
	stopping = instance
		.stop({ graceful: true, timeout: timeoutMs, close: true })
		.catch((error) => log.warn({ event: 'mail_queue_stop_failed', err: error }, 'mail queue stop'))
		.finally(() => {
			stopping = null;
		});
	return stopping;
}
