/**
 * The outbox table's reads and writes (db/schema/outbox.ts): insert, claim an attempt, record its outcome.
 * Claiming is one conditional UPDATE, so two workers (two instances after a job expired) cannot both own an
 * attempt of a message that is already sent; a message sent is never claimed again.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
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
	/** Chosen by the caller, so that it knows each message's id before the insert returns. */
	id: string;
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
		id: message.id,
		kind: message.kind,
		serverId: message.serverId,
		serverName: message.serverName,
		fallbackServerId: message.fallbackServerId ?? null,
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

/**
 * Takes the next attempt of each message that is not done yet (queued, retrying, or `sending` left behind by a
 * process that stopped mid-send), in one statement. With `jobId`, only the messages that job owns: a message
 * moved to a later job (deferred) is that job's, so a retry of the first job cannot send it at the same time.
 * Returns the rows claimed, in the order of `ids`; a message already sent or failed is left out.
 */
export async function claimAttempts(ids: string[], jobId?: string): Promise<OutboxRow[]> {
	if (ids.length === 0) return [];
	const rows = await db()
		.update(outbox)
		.set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, updatedAt: new Date() })
		.where(
			and(
				inArray(outbox.id, ids),
				inArray(outbox.status, ['queued', 'retrying', 'sending']),
				jobId ? ownedBy(jobId) : undefined
			)
		)
		.returning();
	const byId = new Map(rows.map((row) => [row.id, row]));
	return ids.flatMap((id) => byId.get(id) ?? []);
}

export function openBody(row: OutboxRow): MessageBody | null {
	return row.bodySealed ? (JSON.parse(openSecret(row.bodySealed)) as MessageBody) : null;
}

/**
 * Records messages as sent, in one statement whatever their number, with each one's reply; a body that carried
 * a secret is erased.
 */
export async function markSentMany(sent: { row: OutboxRow; reply: string }[]) {
	if (sent.length === 0) return;
	const replies = JSON.stringify(sent.map(({ row, reply }) => ({ id: row.id, reply })));
	// the ids again as an array, so the planner looks the rows up by their key instead of scanning the table
	const ids = `{${sent.map(({ row }) => row.id).join(',')}}`;
	const now = new Date().toISOString();
	await db().execute(sql`
		update ${outbox} set
			status = 'sent', sent_at = ${now}::timestamptz, updated_at = ${now}::timestamptz,
			last_reply = sent.reply, last_code = null, diagnosis = null,
			body_sealed = case when ${outbox.carriesSecret} then null else ${outbox.bodySealed} end
		from jsonb_to_recordset(${replies}::jsonb) as sent(id uuid, reply text)
		where ${outbox.id} = any(${ids}::uuid[]) and ${outbox.id} = sent.id`);
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
 * What the attempts need before they claim their messages, in one read: each message's facts (left out once it is
 * sent or failed, or when it belongs to another job than `jobId`), its server's version and limits (`server`
 * null: the server is gone) and the server's pause. In the order of `ids`.
 */
export async function peekForDelivery(ids: string[], jobId?: string) {
	if (ids.length === 0) return [];
	const servers = tables.smtpServers;
	const gates = tables.smtpDeliveryGates;
	const rows = await db()
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
		.where(
			and(
				inArray(outbox.id, ids),
				inArray(outbox.status, ['queued', 'retrying', 'sending']),
				jobId ? ownedBy(jobId) : undefined
			)
		);
	const pending = rows.map(
		({ serverVersion, host, maxConnections, messagesPerMinute, recipientsPerDay, ...facts }) => ({
			...facts,
			server:
				serverVersion && host !== null
					? {
							version: serverVersion,
							limits: limitsOf({ host, maxConnections, messagesPerMinute, recipientsPerDay })
						}
					: null
		})
	);
	const byId = new Map(pending.map((message) => [message.id, message]));
	return ids.flatMap((id) => byId.get(id) ?? []);
}

export type PendingMessage = Awaited<ReturnType<typeof peekForDelivery>>[number];

/** Attempts the server declined to take (it asked us to slow down): not counted, the messages wait. */
export async function giveBackAttempts(rows: OutboxRow[], reply: string | null) {
	if (rows.length === 0) return;
	await db()
		.update(outbox)
		.set({
			status: sql`case when ${outbox.attempts} > 1 then 'retrying' else 'queued' end`,
			attempts: sql`greatest(${outbox.attempts} - 1, 0)`,
			lastReply: reply,
			updatedAt: new Date()
		})
		.where(
			and(
				inArray(
					outbox.id,
					rows.map((row) => row.id)
				),
				eq(outbox.status, 'sending')
			)
		);
}

/**
 * A message whose server failed to connect or sign in, moved to its fallback (worker.ts failOver): the attempt
 * stays counted, with its reply and diagnosis; the message waits queued for the fallback's job `jobId`.
 */
export async function moveToFallback(
	executor: Db,
	row: OutboxRow,
	fallback: { id: string; name: string },
	jobId: string,
	outcome: { reply: string | null; code: string | null; diagnosis: Diagnosis }
) {
	const { id, phase, title, explanation, fix } = outcome.diagnosis;
	await executor
		.update(outbox)
		.set({
			serverId: fallback.id,
			serverName: fallback.name,
			fallbackServerId: null,
			failedOverFrom: row.serverName,
			status: 'queued',
			jobId,
			lastReply: outcome.reply,
			lastCode: outcome.code,
			diagnosis: { id, phase, title, explanation, fix },
			updatedAt: new Date()
		})
		.where(and(eq(outbox.id, row.id), eq(outbox.status, 'sending')));
}

/** Hands messages to another queue job (a deferral): from now on only that job delivers them. */
export async function moveToJob(executor: Db, ids: string[], jobId: string) {
	if (ids.length === 0) return;
	await executor.update(outbox).set({ jobId }).where(inArray(outbox.id, ids));
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

/** The messages job `jobId` may deliver: its own (a message written before jobs were named has none). */
function ownedBy(jobId: string) {
	return or(eq(outbox.jobId, jobId), isNull(outbox.jobId));
}
