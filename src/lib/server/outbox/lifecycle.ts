/** Starts and stops mail delivery: the queue on the open database, and this instance's worker. */
import type { Database } from '../db/index.js';
import { startMailQueue, stopMailQueue } from './queue.js';
import { startMailWorker, stopMailWorker } from './worker.js';
import { startRetention, stopRetention } from './retention.js';

export interface OutboxOptions {
	/** Days a finished message stays in the log (POSTERN_MAIL_LOG_RETENTION_DAYS); unset: no pruning. */
	retentionDays?: number;
}

export async function startOutbox(database: Database, options: OutboxOptions = {}): Promise<void> {
	await startMailQueue(database);
	await startMailWorker();
	if (options.retentionDays) startRetention(options.retentionDays);
}

/** Lets the worker finish the message in hand; whatever is left waits in the database for the next start. */
export async function stopOutbox(): Promise<void> {
	stopRetention();
	await stopMailWorker();
	await stopMailQueue();
}
