/**
 * The outbox table's reads and writes (db/schema/outbox.ts): insert, claim an attempt, record its outcome.
 * Claiming is one conditional UPDATE, so two workers (two instances after a job expired) cannot both own an
 * attempt of a message that is already sent; a message sent is never claimed again.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { db, tables, type Db } from '../db/index.js';
import { openSecret, sealSecret } from '../secrets.js';
import type { Diagnosis } from '../mail/types.js';
import { limitsOf } from '../mail/limits.js';
import type { DeliveryState, OutboxMessage } from './message.js';

const outbox = tables.mailOutbox;

export interface MessageBody {
	text: string;
	html?: string;
	headers?: Record<string, string>;
}

export type OutboxRow = typeof outbox.$inferSelect;

/** A Message-ID on the sender's domain, as mail servers and spam filters expect. */
export function newMessageId(fromAddress: string): string {
	const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1) || 'postern.invalid';
	return `<${randomUUID()}@${domain}>`;
}

export type NewMessage = OutboxMessage & {
	serverName: string;
	fromAddress: string;
	maxAttempts: number;
	/** The queue job that will deliver it. */
	jobId: string;
};

/**
 * Inserts messages in one statement. Returns the ones created, by job id; a message whose dedupe key is
 * already taken is left out (it exists, and its job with it).
 */
export async function insertMessages(
	executor: Db,
	messages: NewMessage[]
): Promise<{ id: string; jobId: string }[]> {
	if (messages.length === 0) return [];
	const rows = await executor
		.insert(outbox)
		.values(messages.map(rowOf))
		.onConflictDoNothing({ target: outbox.dedupeKey })
		.returning({ id: outbox.id, jobId: outbox.jobId });
	return rows.map((r) => ({ id: r.id, jobId: r.jobId! }));
}

/** The id of the message holding `dedupeKey`. */
export async function messageIdOfDedupeKey(executor: Db, dedupeKey: string): Promise<string> {
	const [existing] = await executor
		.select({ id: outbox.id })
		.from(outbox)
		.where(eq(outbox.dedupeKey, dedupeKey));
	return existing.id;
}

function rowOf(message: NewMessage) {
	const body: MessageBody = {
		text: message.text,
		...(message.html ? { html: message.html } : {}),
		...(message.headers ? { headers: message.headers } : {})
	};
	return {
		kind: message.kind,
		serverId: message.serverId,
		serverName: message.serverName,
		fromAddress: message.fromAddress,
		fromName: message.from?.name ?? null,
		recipients: message.to,
		subject: message.subject,
		bodySealed: sealSecret(JSON.stringify(body)),
		carriesSecret: message.carriesSecret,
		messageId: message.messageId ?? newMessageId(message.fromAddress),
		dedupeKey: message.dedupeKey ?? null,
		maxAttempts: message.maxAttempts,
		origin: message.origin ?? null,
		resentFrom: message.resentFrom ?? null,
		jobId: message.jobId
	};
}

export async function setJobId(executor: Db, id: string, jobId: string) {
	await executor.update(outbox).set({ jobId }).where(eq(outbox.id, id));
}

/**
 * Takes the next attempt of a message that is not done yet (queued, retrying, or `sending` left behind by a
 * process that stopped mid-send). Returns null when it is already sent or failed: the job then has nothing to do.
 */
export async function claimAttempt(id: string): Promise<OutboxRow | null> {
	const [row] = await db()
		.update(outbox)
		.set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, updatedAt: new Date() })
		.where(and(eq(outbox.id, id), inArray(outbox.status, ['queued', 'retrying', 'sending'])))
		.returning();
	return row ?? null;
}

export function openBody(row: OutboxRow): MessageBody | null {
	return row.bodySealed ? (JSON.parse(openSecret(row.bodySealed)) as MessageBody) : null;
}

export async function markSent(row: OutboxRow, reply: string) {
	await db()
		.update(outbox)
		.set({
			status: 'sent',
			sentAt: new Date(),
			updatedAt: new Date(),
			lastReply: reply,
			lastCode: null,
			diagnosis: null,
			...(row.carriesSecret ? { bodySealed: null } : {})
		})
		.where(eq(outbox.id, row.id));
}

export async function markFailedAttempt(
	row: OutboxRow,
	outcome: { final: boolean; reply: string | null; code: string | null; diagnosis: Diagnosis }
) {
	const { id, phase, title, explanation, fix } = outcome.diagnosis;
	await db()
		.update(outbox)
		.set({
			status: outcome.final ? 'failed' : 'retrying',
			updatedAt: new Date(),
			lastReply: outcome.reply,
			lastCode: outcome.code,
			diagnosis: { id, phase, title, explanation, fix },
			...(outcome.final && row.carriesSecret ? { bodySealed: null } : {})
		})
		.where(eq(outbox.id, row.id));
}

/**
 * What one attempt needs before it claims the message, in one read: the message's facts (null once it is sent or
 * failed), its server's version and limits (`server` null: the server is gone) and the server's pause.
 */
export async function peekForDelivery(id: string) {
	const servers = tables.smtpServers;
	const gates = tables.smtpDeliveryGates;
	const [row] = await db()
		.select({
			id: outbox.id,
			kind: outbox.kind,
			serverId: outbox.serverId,
			recipients: outbox.recipients,
			status: outbox.status,
			serverVersion: servers.updatedAt,
			host: servers.host,
			maxConnections: servers.maxConnections,
			messagesPerMinute: servers.messagesPerMinute,
			recipientsPerDay: servers.recipientsPerDay,
			pausedUntil: gates.pausedUntil,
			pauseReason: gates.pauseReason
		})
		.from(outbox)
		.leftJoin(servers, eq(servers.id, outbox.serverId))
		.leftJoin(gates, eq(gates.serverId, outbox.serverId))
		.where(and(eq(outbox.id, id), inArray(outbox.status, ['queued', 'retrying', 'sending'])));
	if (!row) return null;
	const { serverVersion, host, maxConnections, messagesPerMinute, recipientsPerDay, ...facts } =
		row;
	return {
		...facts,
		server:
			serverVersion && host !== null
				? {
						version: serverVersion,
						limits: limitsOf({ host, maxConnections, messagesPerMinute, recipientsPerDay })
					}
				: null
	};
}

/** An attempt the server declined to take (it asked us to slow down): not counted, the message waits. */
export async function giveBackAttempt(row: OutboxRow, reply: string | null) {
	await db()
		.update(outbox)
		.set({
			status: row.attempts > 1 ? 'retrying' : 'queued',
			attempts: sql`greatest(${outbox.attempts} - 1, 0)`,
			lastReply: reply,
			updatedAt: new Date()
		})
		.where(eq(outbox.id, row.id));
}

export async function readDeliveryState(id: string): Promise<DeliveryState | null> {
	const [row] = await db()
		.select({
			id: outbox.id,
			status: outbox.status,
			attempts: outbox.attempts,
			lastReply: outbox.lastReply,
			lastCode: outbox.lastCode,
			diagnosis: outbox.diagnosis
		})
		.from(outbox)
		.where(eq(outbox.id, id));
	return row ?? null;
}
