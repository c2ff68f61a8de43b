/**
 * The mail log's reads: a page of messages (keyset pagination on (created_at, id), so page 10,000 costs what
 * page 1 does), live counts, the hourly chart, and one server's delivery summary. Every query is served by an
 * index of db/schema/outbox.ts; none reads a body.
 */
import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { MailKind, MailStatus } from './message.js';
import { MAIL_QUEUE } from './queue.js';

const outbox = tables.mailOutbox;

export interface MailLogFilter {
	kind?: MailKind;
	status?: MailStatus;
	serverId?: string;
	/** An exact address (case-insensitive). */
	recipient?: string;
}

/** Where the next page starts: the last row shown, as "<created_at ISO>_<id>". */
export type MailLogCursor = string;

export interface MailLogEntry {
	id: string;
	createdAt: Date;
	kind: MailKind;
	recipients: string[];
	subject: string;
	serverId: string | null;
	serverName: string;
	/** The server it moved away from to its fallback (it could not connect or sign in there). */
	failedOverFrom: string | null;
	status: MailStatus;
	attempts: number;
	maxAttempts: number;
	nextAttemptAt: Date | null;
	sentAt: Date | null;
	lastReply: string | null;
	lastCode: string | null;
	diagnosis: { id: string; phase: string; title: string; explanation: string; fix: string } | null;
	carriesSecret: boolean;
	resentFrom: string | null;
}

export const MAIL_LOG_PAGE_SIZE = 50;

/**
 * A row's time as the database keeps it, to the microsecond. A cursor must carry all of it: a JavaScript Date
 * keeps milliseconds, and rows written in one transaction share one now(), so a cursor cut to the millisecond
 * would skip the rest of such a run of ties.
 */
const createdAtExact = sql<string>`to_char(${outbox.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function encodeCursor(entry: { createdAtExact: string; id: string }): MailLogCursor {
	return `${entry.createdAtExact}_${entry.id}`;
}

export function decodeCursor(cursor: string | null | undefined): { at: string; id: string } | null {
	const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,6}Z)_([0-9a-f-]{36})$/.exec(
		cursor ?? ''
	);
	if (!match) return null;
	return Number.isNaN(Date.parse(match[1])) ? null : { at: match[1], id: match[2] };
}

function whereOf(filter: MailLogFilter): SQL[] {
	const conditions: SQL[] = [];
	if (filter.kind) conditions.push(eq(outbox.kind, filter.kind));
	if (filter.status) conditions.push(eq(outbox.status, filter.status));
	if (filter.serverId) conditions.push(eq(outbox.serverId, filter.serverId));
	if (filter.recipient) {
		// addresses are stored as given; the common spellings are checked through the GIN index
		const typed = filter.recipient.trim();
		const spellings = [...new Set([typed, typed.toLowerCase()])];
		conditions.push(
			or(...spellings.map((address) => sql`${outbox.recipients} @> array[${address}]::text[]`))!
		);
	}
	return conditions;
}

/** A page of the log, newest first, after `cursor`; `next` is set when there is more. */
export async function listMailLog(
	filter: MailLogFilter,
	cursor: MailLogCursor | null = null,
	pageSize = MAIL_LOG_PAGE_SIZE
): Promise<{ entries: MailLogEntry[]; next: MailLogCursor | null }> {
	const conditions = whereOf(filter);
	const after = decodeCursor(cursor);
	if (after)
		conditions.push(
			sql`(${outbox.createdAt}, ${outbox.id}) < (${after.at}::timestamptz, ${after.id}::uuid)`
		);
	const rows = await db()
		.select({
			id: outbox.id,
			createdAt: outbox.createdAt,
			createdAtExact,
			kind: outbox.kind,
			recipients: outbox.recipients,
			subject: outbox.subject,
			serverId: outbox.serverId,
			serverName: outbox.serverName,
			failedOverFrom: outbox.failedOverFrom,
			status: outbox.status,
			attempts: outbox.attempts,
			maxAttempts: outbox.maxAttempts,
			jobId: outbox.jobId,
			sentAt: outbox.sentAt,
			lastReply: outbox.lastReply,
			lastCode: outbox.lastCode,
			diagnosis: outbox.diagnosis,
			carriesSecret: outbox.carriesSecret,
			resentFrom: outbox.resentFrom
		})
		.from(outbox)
		.where(conditions.length ? and(...conditions) : undefined)
		.orderBy(desc(outbox.createdAt), desc(outbox.id))
		.limit(pageSize + 1);
	const page = rows.slice(0, pageSize);
	const nextAttempts = await readNextAttempts(
		page.filter((r) => r.status === 'retrying' || r.status === 'queued').map((r) => r.jobId!)
	);
	return {
		entries: page.map(({ jobId, ...row }) => ({
			...row,
			nextAttemptAt: jobId ? (nextAttempts.get(jobId) ?? null) : null
		})),
		next: rows.length > pageSize ? encodeCursor(page[page.length - 1]) : null
	};
}

/** When pg-boss will next try each job (its start_after), for the rows still waiting. */
async function readNextAttempts(jobIds: string[]): Promise<Map<string, Date>> {
	const ids = jobIds.filter(Boolean);
	if (!ids.length) return new Map();
	const result = await db().execute<{ id: string; start_after: string | Date }>(
		sql`select id, start_after from pgboss.job
			where name = ${MAIL_QUEUE} and id in (${sql.join(
				ids.map((id) => sql`${id}::uuid`),
				sql`, `
			)}) and state in ('created', 'retry')`
	);
	const rows = (result as unknown as { rows: { id: string; start_after: string | Date }[] }).rows;
	return new Map(rows.map((row) => [row.id, new Date(row.start_after)]));
}

export async function findMailLogEntry(id: string) {
	const [row] = await db().select().from(outbox).where(eq(outbox.id, id));
	return row ?? null;
}

export interface MailCounts {
	/** Not finished yet, whenever they were written. */
	queued: number;
	sending: number;
	retrying: number;
	/** Finished in the last 24 hours. */
	sent24h: number;
	failed24h: number;
}

/** The live counts at the top of the log: each a range scan of the status index. */
export async function readMailCounts(now = new Date()): Promise<MailCounts> {
	const since = new Date(now.getTime() - 86_400_000);
	const rows = await db()
		.select({ status: outbox.status, count: sql<number>`count(*)::int` })
		.from(outbox)
		.where(
			or(
				inArray(outbox.status, ['queued', 'sending', 'retrying']),
				and(inArray(outbox.status, ['sent', 'failed']), gte(outbox.createdAt, since))
			)
		)
		.groupBy(outbox.status);
	const of = (status: MailStatus) => rows.find((r) => r.status === status)?.count ?? 0;
	return {
		queued: of('queued'),
		sending: of('sending'),
		retrying: of('retrying'),
		sent24h: of('sent'),
		failed24h: of('failed')
	};
}

export interface HourlyBucket {
	/** The hour's start. */
	hour: Date;
	sent: number;
	failed: number;
}

/** Sent and failed per hour over the last `hours` hours (every hour present, zeros included), oldest first. */
export async function readHourlyChart(hours = 48, now = new Date()): Promise<HourlyBucket[]> {
	const end = new Date(now);
	end.setUTCMinutes(0, 0, 0);
	const start = new Date(end.getTime() - (hours - 1) * 3_600_000);
	const rows = await db()
		.select({
			hour: sql<string>`date_trunc('hour', ${outbox.createdAt} at time zone 'UTC')`,
			status: outbox.status,
			count: sql<number>`count(*)::int`
		})
		.from(outbox)
		.where(and(gte(outbox.createdAt, start), inArray(outbox.status, ['sent', 'failed'])))
		.groupBy(sql`1`, outbox.status);
	const buckets = Array.from({ length: hours }, (_, i) => ({
		hour: new Date(start.getTime() + i * 3_600_000),
		sent: 0,
		failed: 0
	}));
	for (const row of rows) {
		const at = new Date(`${String(row.hour).replace(' ', 'T').slice(0, 19)}Z`).getTime();
		const bucket = buckets[Math.round((at - start.getTime()) / 3_600_000)];
		if (bucket) bucket[row.status as 'sent' | 'failed'] += row.count;
	}
	return buckets;
}

export interface ServerDeliverySummary {
	queueDepth: number;
	lastDeliveryAt: Date | null;
	lastFailure: {
		at: Date;
		status: MailStatus;
		reply: string | null;
		diagnosisTitle: string | null;
	} | null;
	paused: { until: Date; reason: string } | null;
}

/** What a server's page shows about its mail: waiting messages, the last delivery and failure, a pause. */
export async function readServerDeliverySummary(
	serverId: string,
	now = new Date()
): Promise<ServerDeliverySummary> {
	const [depth] = await db()
		.select({ count: sql<number>`count(*)::int` })
		.from(outbox)
		.where(
			and(eq(outbox.serverId, serverId), inArray(outbox.status, ['queued', 'sending', 'retrying']))
		);
	const [delivered] = await db()
		.select({ sentAt: outbox.sentAt })
		.from(outbox)
		.where(and(eq(outbox.serverId, serverId), eq(outbox.status, 'sent')))
		.orderBy(desc(outbox.createdAt))
		.limit(1);
	const lastOf = async (status: MailStatus) => {
		const [row] = await db()
			.select({
				at: outbox.updatedAt,
				status: outbox.status,
				reply: outbox.lastReply,
				diagnosis: outbox.diagnosis
			})
			.from(outbox)
			.where(and(eq(outbox.serverId, serverId), eq(outbox.status, status)))
			.orderBy(desc(outbox.createdAt))
			.limit(1);
		return row ?? null;
	};
	const failures = [await lastOf('failed'), await lastOf('retrying')].filter((r) => r !== null);
	const failure = failures.sort((a, b) => b.at.getTime() - a.at.getTime())[0] ?? null;
	const [gate] = await db()
		.select()
		.from(tables.smtpDeliveryGates)
		.where(eq(tables.smtpDeliveryGates.serverId, serverId));
	return {
		queueDepth: depth?.count ?? 0,
		lastDeliveryAt: delivered?.sentAt ?? null,
		lastFailure: failure
			? {
					at: failure.at,
					status: failure.status,
					reply: failure.reply,
					diagnosisTitle: failure.diagnosis?.title ?? null
				}
			: null,
		paused:
			gate?.pausedUntil && gate.pausedUntil > now
				? { until: gate.pausedUntil, reason: gate.pauseReason ?? 'paused' }
				: null
	};
}

/** Deletes finished messages written before `before`, in batches (retention); returns how many. */
export async function pruneMailLog(before: Date, batch = 5_000): Promise<number> {
	let total = 0;
	for (;;) {
		const deleted = await db()
			.delete(outbox)
			.where(
				inArray(
					outbox.id,
					db()
						.select({ id: outbox.id })
						.from(outbox)
						.where(and(inArray(outbox.status, ['sent', 'failed']), lt(outbox.createdAt, before)))
						.limit(batch)
				)
			)
			.returning({ id: outbox.id });
		total += deleted.length;
		if (deleted.length < batch) return total;
	}
}
