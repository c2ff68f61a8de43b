/**
 * The one way into the outbox. `enqueue` writes the message and its queue job in one transaction;
 * `enqueueInTransaction` does it inside a caller's transaction, so a producer's own write (a launch record, an
 * alert's state) and its mail commit together or not at all; `enqueueManyInTransaction` does it for many
 * messages at the cost of one.
 *
 * `enqueue` calls that arrive while an earlier one is committing are committed together, in one transaction
 * (group commit): under load a producer pays a share of one commit instead of a commit of its own, and on
 * PGlite, where every transaction holds the one connection, fifty producers no longer queue fifty
 * transactions ahead of the worker's reads. Each caller still returns only once its message is durable; if a
 * batch fails, its messages are retried one by one, so one bad message fails only its own caller.
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

/** The most messages one group commit takes; the rest wait for the next. */
const GROUP_COMMIT_MAX = 500;
/** The most messages one queue job delivers (see jobsFor). */
const JOB_BATCH_MAX = 20;

export class UnknownServerError extends Error {
	code = 'ENOSERVER';
	constructor() {
		super('This SMTP server does not exist');
	}
}

interface Waiting {
	message: OutboxMessage;
	resolve: (id: string) => void;
	reject: (error: unknown) => void;
}

let waiting: Waiting[] = [];
let committing = false;

/** Enqueues one message in a transaction of its own (shared with concurrent calls); returns its id. */
export function enqueue(message: OutboxMessage): Promise<string> {
	try {
		refuseMultiLineHeaders([message]);
	} catch (error) {
		return Promise.reject(error);
	}
	return new Promise((resolve, reject) => {
		waiting.push({ message, resolve, reject });
		if (!committing) void commitWaiting();
	});
}

/** Commits what is waiting, batch after batch, until nothing is. */
async function commitWaiting() {
	committing = true;
	try {
		while (waiting.length) {
			const batch = waiting.slice(0, GROUP_COMMIT_MAX);
			waiting = waiting.slice(batch.length);
			await commitBatch(batch);
			nudgeMailWorker();
		}
	} finally {
		committing = false;
	}
}

async function commitBatch(batch: Waiting[]) {
	try {
		const ids = await db().transaction((tx) =>
			enqueueEachInTransaction(
				tx as unknown as Db,
				batch.map((w) => w.message)
			)
		);
		batch.forEach((w, i) => w.resolve(ids[i]));
	} catch (error) {
		if (batch.length === 1) return batch[0].reject(error);
		// one message spoilt the batch (an unknown server, say): each again on its own, so only its caller fails
		for (const w of batch) await commitBatch([w]);
	}
}

/** One message inside the caller's transaction; returns its id (the existing one for a repeated dedupe key). */
export async function enqueueInTransaction(tx: Db, message: OutboxMessage): Promise<string> {
	const [id] = await enqueueEachInTransaction(tx, [message]);
	return id;
}

/** Many messages inside the caller's transaction; returns each one's id, in order, deduplicated ones included. */
async function enqueueEachInTransaction(tx: Db, messages: OutboxMessage[]): Promise<string[]> {
	const created = await insertWithJobs(tx, messages);
	const ids: string[] = [];
	for (const [i, id] of created.entries())
		ids.push(id ?? (await messageIdOfDedupeKey(tx, messages[i].dedupeKey!)));
	return ids;
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
	return (await insertWithJobs(tx, messages)).filter((id): id is string => id !== null);
}

function refuseMultiLineHeaders(messages: OutboxMessage[]) {
	for (const message of messages)
		for (const value of [message.subject, message.from?.address, message.from?.name, ...message.to])
			if (value !== undefined && /[\r\n]/.test(value))
				throw Object.assign(new Error('A message header must be on one line'), {
					code: 'EMESSAGE'
				});
}

/** Writes the messages and their jobs; returns each one's id, in order, or null where its dedupe key was taken. */
async function insertWithJobs(tx: Db, messages: OutboxMessage[]): Promise<(string | null)[]> {
	if (messages.length === 0) return [];
	refuseMultiLineHeaders(messages);
	const ids = [...new Set(messages.map((m) => m.serverId))];
	if (!ids.every(isUuid)) throw new UnknownServerError();
	const fallbacks = [
		...new Set(messages.flatMap((m) => (m.fallbackServerId ? [m.fallbackServerId] : [])))
	].filter((id) => isUuid(id) && !ids.includes(id));
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
		.where(inArray(servers.id, [...ids, ...fallbacks]));
	const serverById = new Map(found.map((s) => [s.id, s]));
	if (!ids.every((id) => serverById.has(id))) throw new UnknownServerError();
	// ids are chosen here, so each message row names its job from the start (no second write)
	const jobOf = jobsFor(messages, (serverId) => limitsOf(serverById.get(serverId)!).maxConnections);
	const rows = messages.map((message, i) => {
		const server = serverById.get(message.serverId)!;
		// a fallback that is the message's own server, or that no longer exists, is no fallback
		const fallback =
			message.fallbackServerId &&
			message.fallbackServerId !== message.serverId &&
			serverById.has(message.fallbackServerId)
				? message.fallbackServerId
				: null;
		return {
			...message,
			fallbackServerId: fallback,
			id: randomUUID(),
			serverName: server.name,
			fromAddress: message.from?.address ?? server.fromAddress,
			maxAttempts: MAX_ATTEMPTS,
			jobId: jobOf[i]
		};
	});
	const created = await insertMessages(tx, rows);
	if (created.length === 0) return rows.map(() => null);
	const idsOfJob = new Map<string, string[]>();
	for (const { id, jobId } of created) idsOfJob.set(jobId, [...(idsOfJob.get(jobId) ?? []), id]);
	const serverOfJob = new Map(rows.map((row) => [row.jobId, row.serverId]));
	// The jobs are written through the caller's transaction: messages and jobs commit (or vanish) together.
	await mailQueue().insert(
		MAIL_QUEUE,
		[...idsOfJob].map(([jobId, ids]) => {
			const serverId = serverOfJob.get(jobId)!;
			return {
				id: jobId,
				data: { ids },
				group: queueGroupOf(serverId, limitsOf(serverById.get(serverId)!))
			};
		}),
		{ db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql) }
	);
	const createdIds = new Set(created.map((c) => c.id));
	return rows.map((row) => (createdIds.has(row.id) ? row.id : null));
}

/**
 * The queue job of each message. A message that carries a secret (a sign-in code, a reset link) is someone
 * waiting: it has a job of its own. The others of one server are shared out over as many jobs as the server
 * allows connections (each job sends its messages one after the other, on one connection), at most
 * JOB_BATCH_MAX a job, so a fan-out pays one queue fetch, claim and "sent" per batch instead of per message.
 */
function jobsFor(messages: OutboxMessage[], connectionsOf: (serverId: string) => number): string[] {
	const jobOf: string[] = new Array(messages.length);
	const byServer = new Map<string, number[]>();
	for (const [i, message] of messages.entries()) {
		if (message.carriesSecret) jobOf[i] = randomUUID();
		else byServer.set(message.serverId, [...(byServer.get(message.serverId) ?? []), i]);
	}
	for (const [serverId, indexes] of byServer) {
		const jobs = Math.max(connectionsOf(serverId), Math.ceil(indexes.length / JOB_BATCH_MAX));
		const perJob = Math.ceil(indexes.length / jobs);
		for (let start = 0; start < indexes.length; start += perJob) {
			const jobId = randomUUID();
			for (const i of indexes.slice(start, start + perJob)) jobOf[i] = jobId;
		}
	}
	return jobOf;
}
