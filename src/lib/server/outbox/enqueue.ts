/**
 * The one way into the outbox. `enqueue` writes the message and its queue job in one transaction;
 * `enqueueInTransaction` does it inside a caller's transaction, so a producer's own write (a launch record, an
 * alert's state) and its mail commit together or not at all; `enqueueManyInTransaction` does it for many
 * messages at the cost of one.
 */
import { randomUUID } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import { fromDrizzle, type DrizzleTransactionLike } from 'pg-boss';
import { db, tables, type Db } from '../db/index.js';
import type { OutboxMessage } from './message.js';
import { insertMessages, messageIdOfDedupeKey } from './store.js';
import { MAIL_QUEUE, MAX_ATTEMPTS, mailQueue } from './queue.js';
import { queueGroupOf } from './server-limits.js';
import { limitsOf } from '../mail/limits.js';
import { isUuid } from '../ids.js';
import { nudgeMailWorker } from './worker.js';

export class UnknownServerError extends Error {
	code = 'ENOSERVER';
	constructor() {
		super('This SMTP server does not exist');
	}
}

export async function enqueue(message: OutboxMessage): Promise<string> {
	const id = await db().transaction((tx) => enqueueInTransaction(tx as unknown as Db, message));
	nudgeMailWorker();
	return id;
}

/** One message inside the caller's transaction; returns its id (the existing one for a repeated dedupe key). */
export async function enqueueInTransaction(tx: Db, message: OutboxMessage): Promise<string> {
	const [created] = await enqueueManyInTransaction(tx, [message]);
	return created ?? (await messageIdOfDedupeKey(tx, message.dedupeKey!));
}

/**
 * Many messages inside the caller's transaction, in three statements whatever their number (their servers
 * read, their rows inserted, their jobs inserted): what a fan-out (a launch's notifications) uses. Returns the
 * ids of the messages created, in order; a message whose dedupe key was already used is left out.
 */
export async function enqueueManyInTransaction(
	tx: Db,
	messages: OutboxMessage[]
): Promise<string[]> {
	if (messages.length === 0) return [];
	for (const message of messages)
		for (const value of [message.subject, message.from?.address, message.from?.name, ...message.to])
			if (value !== undefined && /[\r\n]/.test(value))
				throw Object.assign(new Error('A message header must be on one line'), {
					code: 'EMESSAGE'
				});
	const ids = [...new Set(messages.map((m) => m.serverId))];
	if (!ids.every(isUuid)) throw new UnknownServerError();
	const servers = tables.smtpServers;
	const found = await tx
		.select({
			id: servers.id,
			name: servers.name,
			fromAddress: servers.fromAddress,
			host: servers.host,
			maxConnections: servers.maxConnections,
			messagesPerMinute: servers.messagesPerMinute,
			recipientsPerDay: servers.recipientsPerDay
		})
		.from(servers)
		.where(inArray(servers.id, ids));
	const serverById = new Map(found.map((s) => [s.id, s]));
	if (serverById.size !== ids.length) throw new UnknownServerError();
	// each job's id is chosen here, so its message row names it from the start (no second write)
	const rows = messages.map((message) => {
		const server = serverById.get(message.serverId)!;
		return {
			...message,
			serverName: server.name,
			fromAddress: message.from?.address ?? server.fromAddress,
			maxAttempts: MAX_ATTEMPTS,
			jobId: randomUUID()
		};
	});
	const created = await insertMessages(tx, rows);
	if (created.length === 0) return [];
	const createdJobs = new Set(created.map((c) => c.jobId));
	const idOfJob = new Map(created.map((c) => [c.jobId, c.id]));
	// The jobs are written through the caller's transaction: messages and jobs commit (or vanish) together.
	await mailQueue().insert(
		MAIL_QUEUE,
		rows
			.filter((row) => createdJobs.has(row.jobId))
			.map((row) => ({
				id: row.jobId,
				data: { id: idOfJob.get(row.jobId)! },
				group: queueGroupOf(row.serverId, limitsOf(serverById.get(row.serverId)!))
			})),
		{ db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql) }
	);
	return rows.flatMap((row) => (idOfJob.has(row.jobId) ? [idOfJob.get(row.jobId)!] : []));
}
