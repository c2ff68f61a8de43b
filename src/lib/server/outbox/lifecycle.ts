/** Starts and stops mail delivery: the queue on the open database, and this instance's worker. */
import type { Database } from '../db/index.js';
import { startMailQueue, stopMailQueue } from './queue.js';
import { startMailWorker, stopMailWorker } from './worker.js';

export async function startOutbox(database: Database): Promise<void> {
	await startMailQueue(database);
	await startMailWorker();
}

/** Lets the worker finish the message in hand; whatever is left waits in the database for the next start. */
export async function stopOutbox(): Promise<void> {
	await stopMailWorker();
	await stopMailQueue();
}
