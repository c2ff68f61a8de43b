/**
 * The one way into the outbox. `enqueue` writes the message and its queue job in one transaction;
 * `enqueueInTransaction` does it inside a caller's transaction, so a producer's own write (a launch record, an
 * alert's state) and its mail commit together or not at all.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { fromDrizzle, type DrizzleTransactionLike } from 'pg-boss';
import { db, tables, type Db } from '../db/index.js';
import type { OutboxMessage } from './message.js';
import { insertMessage } from './store.js';
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

export async function enqueueInTransaction(tx: Db, message: OutboxMessage): Promise<string> {
	for (const value of [message.subject, message.from?.address, message.from?.name, ...message.to])
		if (value !== undefined && /[\r\n]/.test(value))
			throw Object.assign(new Error('A message header must be on one line'), { code: 'EMESSAGE' });
	const servers = tables.smtpServers;
	const [server] = isUuid(message.serverId)
		? await tx
				.select({
					name: servers.name,
					fromAddress: servers.fromAddress,
					host: servers.host,
					maxConnections: servers.maxConnections,
					messagesPerMinute: servers.messagesPerMinute,
					recipientsPerDay: servers.recipientsPerDay
				})
				.from(servers)
				.where(eq(servers.id, message.serverId))
		: [];
	if (!server) throw new UnknownServerError();
	// the job's id is chosen here, so the message row names its job from the start (no second write)
	const jobId = randomUUID();
	const { id, created } = await insertMessage(tx, {
		...message,
		serverName: server.name,
		fromAddress: message.from?.address ?? server.fromAddress,
		maxAttempts: MAX_ATTEMPTS,
		jobId
	});
	if (!created) return id;
	// The job is written through the caller's transaction: message and job commit (or vanish) together.
	await mailQueue().send(
		MAIL_QUEUE,
		{ id },
		{
			id: jobId,
			db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql),
			group: queueGroupOf(message.serverId, limitsOf(server))
		}
	);
	return id;
}
