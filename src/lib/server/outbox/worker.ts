/**
 * Delivers the outbox's messages. A queue job carries one message or a batch of one server's messages
 * (enqueue.ts makes batches of a fan-out, one per connection the server allows); the job's messages are sent
 * one after the other over one of the server's pooled connections (mail/send.ts), so the queue's cap on a
 * server's active jobs is its cap on connections, and a batch pays for its queue fetch, its reads, its claim and
 * its "sent" once instead of once a message.
 *
 * - The server's gate first (gate.ts): paused, or at its per-minute or per-day limit, the messages are deferred
 *   to a new job due when the gate opens; that is not an attempt.
 * - A server that asks us to slow down (421, 432 4.3.2) pauses for a minute and the attempts are given back;
 *   Microsoft's 5.2.251-255 ("throttled due to continuous errors") pauses it for 15 minutes, said on its page.
 * - Another transient failure (no answer, a timeout, a 4xx reply) marks the message retrying, and the job fails
 *   once its other messages are done: pg-boss retries it with exponential backoff and jitter, and the retry
 *   finds only the messages still not delivered. A permanent failure (a 5xx reply, a message Postern refuses)
 *   parks the message as failed with the reply and its diagnosis.
 *
 * Delivery is at least once: a retry after a crash mid-send carries the same Message-ID, so a duplicate is
 * recognisable; a message already sent is never sent again (store.ts claims each attempt, and only the job that
 * owns a message may claim it), which also makes a stray second job harmless.
 */
import { classifySendFailure, sendMailWithServer, type SendFailure } from '../mail/send.js';
import { readEnhancedStatus, stepOfSendError } from '../mail/diagnose.js';
import { log } from '../log.js';
import { mailAttempts, mailDeliverySeconds } from '../metrics/registry.js';
import {
	claimAttempts,
	giveBackAttempts,
	markFailedAttempt,
	markSentMany,
	moveToFallback,
	moveToJob,
	openBody,
	peekForDelivery,
	readDeliveryState,
	type OutboxRow,
	type PendingMessage
} from './store.js';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { fromDrizzle, type DrizzleTransactionLike } from 'pg-boss';
import { db, tables, type Db } from '../db/index.js';
import { diagnoseDelivery } from './diagnosis.js';
import { announceAttemptEnded, announceGivenUp } from './attempt-events.js';
import { countsRates, pauseDecision, pauseServer, takeDeliverySlot } from './gate.js';
import { CONNECTION_TIERS, queueGroupOf } from './server-limits.js';
import { readServerLimits } from '../mail/limits.js';
import { MAIL_QUEUE, MAX_ATTEMPTS, mailQueue } from './queue.js';

/**
 * The worker keeps up to IN_FLIGHT messages going at once. It fetches from the queue whenever it has room and
 * right after each message is done, and otherwise looks every IDLE_MS (or at once when this instance enqueues).
 * pg-boss's own work() loop waits a polling interval after every fetch that was not full, which caps a server
 * held to a few connections at a few messages a second; fetch(), complete() and fail() are the same claims and
 * retries without that wait. The queue group holds each server to its connection limit across instances.
 */
const IN_FLIGHT = 16;
const SLOW_DOWN_MS = 60_000;
const MICROSOFT_THROTTLE_MS = 15 * 60_000;
const IDLE_MS = 250;
/**
 * A job starts no new send after this long and hands the rest of its batch to a new job, so that no job runs
 * near the queue's expiry (queue.ts), after which another worker would take it.
 */
const JOB_SEND_WINDOW_MS = 30_000;
/**
 * A job writes "sent" for this many messages at a time, or for fewer once the first of them has waited
 * MARK_SENT_WITHIN_MS: after a kill -9, at most this many a connection (and the one on the wire) go out again.
 */
export const MARK_SENT_EVERY = 10;
const MARK_SENT_WITHIN_MS = 200;

let running = false;
let deliveredHere = 0;

/** Messages this process delivered since it started (a per-instance figure: the database has the totals). */
export function deliveredByThisProcess(): number {
	return deliveredHere;
}

let loop: Promise<void> | null = null;
let wake: (() => void) | null = null;
const inFlight = new Set<Promise<void>>();

export async function startMailWorker(): Promise<void> {
	if (running) return;
	running = true;
	loop = runLoop();
}

/** Stops fetching and waits for the messages in hand (up to `timeoutMs`); the rest stays queued. */
export async function stopMailWorker(timeoutMs = 10_000): Promise<void> {
	if (!running) return;
	running = false;
	wake?.();
	const done = Promise.all([loop, ...inFlight]).then(() => {});
	await Promise.race([done, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
	loop = null;
}

/** Called after an enqueue commits: this instance looks at the queue now instead of at its next look. */
export function nudgeMailWorker() {
	wake?.();
}

async function runLoop() {
	while (running) {
		const room = IN_FLIGHT - inFlight.size;
		if (room > 0) {
			let jobs: Job[];
			try {
				jobs = await mailQueue().fetch<{ id: string }>(MAIL_QUEUE, {
					batchSize: room,
					includeMetadata: true,
					groupConcurrency: { default: 5, tiers: CONNECTION_TIERS }
				});
			} catch (error) {
				if (!running) break;
				log.warn({ event: 'mail_fetch_failed', err: error }, 'the mail queue could not be read');
				await idle(2_000);
				continue;
			}
			for (const job of jobs) {
				const settled: Promise<void> = settle(job).finally(() => {
					inFlight.delete(settled);
					wake?.();
				});
				inFlight.add(settled);
			}
			if (jobs.length === room) continue;
		}
		await idle(IDLE_MS);
	}
}

type Job = { id: string; retryCount: number; data: { id?: string; ids?: string[] } };

async function settle(job: Job) {
	const queue = mailQueue();
	const ids = job.data.ids ?? (job.data.id ? [job.data.id] : []);
	try {
		const outcomes = await deliverBatch(ids, { jobId: job.id, retryCount: job.retryCount });
		if ([...outcomes.values()].includes('retrying'))
			// pg-boss retries the job with exponential backoff and jitter; the retry finds only what is left
			await queue.fail(
				MAIL_QUEUE,
				{ id: job.id, retryCount: job.retryCount },
				{ message: 'a message will be retried' }
			);
		else await queue.complete(MAIL_QUEUE, { id: job.id, retryCount: job.retryCount });
	} catch (error) {
		for (const id of ids) announceAttemptEnded(id);
		// the database failed us mid-batch: the job is retried, and finds what is left
		await queue
			.fail(MAIL_QUEUE, { id: job.id, retryCount: job.retryCount }, { message: String(error) })
			.catch((e) =>
				log.warn({ event: 'mail_fail_failed', err: e }, 'a failed job could not be recorded')
			);
	}
}

function idle(ms: number) {
	return new Promise<void>((resolve) => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			wake = null;
			resolve();
		}
		wake = done;
	});
}

export type DeliveryOutcome = 'sent' | 'retrying' | 'failed' | 'deferred' | 'nothing-to-do';

/**
 * One attempt at message `id`, outside any job (`retryCount` is the count of earlier attempts): what the tests
 * drive. A transient failure throws, as it fails a job.
 */
export async function deliver(id: string, retryCount = 0): Promise<DeliveryOutcome> {
	const outcome = (await deliverBatch([id], { retryCount })).get(id) ?? 'nothing-to-do';
	if (outcome === 'retrying') {
		const state = await readDeliveryState(id);
		throw new Error(`attempt ${state?.attempts} failed: ${state?.diagnosis?.id ?? 'unknown'}`);
	}
	return outcome;
}

interface BatchOptions {
	/** The queue job delivering the batch: only its own messages are claimed. */
	jobId?: string;
	/** The queue's count of the job's earlier runs. */
	retryCount: number;
}

/** One attempt at each message of `ids`, in order; returns what became of each. */
export async function deliverBatch(
	ids: string[],
	options: BatchOptions
): Promise<Map<string, DeliveryOutcome>> {
	const outcomes = new Map<string, DeliveryOutcome>(ids.map((id) => [id, 'nothing-to-do']));
	const pending = await peekForDelivery(ids, options.jobId);
	const admitted = await passGates(pending, outcomes);
	const rows = await claimAttempts(
		admitted.map((p) => p.id),
		options.jobId
	);
	const pendingById = new Map(pending.map((p) => [p.id, p]));
	const started = Date.now();
	// "sent" is written MARK_SENT_EVERY at a time (sooner on a slow server), while the next messages go out: a
	// batch pays a few writes, and a crash can resend only what was on the wire or not yet written
	let sent: { row: OutboxRow; reply: string; at: number }[] = [];
	let writing: Promise<void> | null = null;
	let writeFailed: unknown = null;
	const writeSent = (): Promise<void> => {
		if (writing || sent.length === 0) return writing ?? Promise.resolve();
		const done = sent;
		sent = [];
		writing = markSentMany(done)
			.then(() => {
				for (const { row } of done) {
					outcomes.set(row.id, 'sent');
					deliveredHere++;
					mailAttempts.inc({ kind: row.kind, outcome: 'sent' });
					mailDeliverySeconds.observe(
						{ kind: row.kind },
						(Date.now() - row.createdAt.getTime()) / 1000
					);
					announceAttemptEnded(row.id);
				}
			})
			.catch((error) => {
				writeFailed ??= error;
			})
			.finally(() => {
				writing = null;
			});
		return writing;
	};
	try {
		for (const [i, row] of rows.entries()) {
			if (Date.now() - started > JOB_SEND_WINDOW_MS && row.serverId) {
				// this job has run long (a slow server): the rest goes on in a job of its own
				const rest = rows.slice(i);
				await giveBackAttempts(rest, null);
				await defer(
					rest.map((r) => r.id),
					row.serverId,
					new Date()
				);
				for (const r of rest) outcomes.set(r.id, 'deferred');
				break;
			}
			const attempt = await attemptOne(row, pendingById.get(row.id)!, options.retryCount);
			if (attempt.outcome === 'sent') {
				sent.push({ row, reply: attempt.reply, at: Date.now() });
				if (sent.length >= MARK_SENT_EVERY || Date.now() - sent[0].at >= MARK_SENT_WITHIN_MS)
					void writeSent();
				continue;
			}
			outcomes.set(row.id, attempt.outcome);
			if (attempt.outcome !== 'deferred') announceAttemptEnded(row.id);
			if (attempt.pausedUntil && row.serverId) {
				// the server asked us to wait: the rest of the batch waits with this message
				const rest = rows.slice(i + 1);
				await giveBackAttempts(rest, null);
				await defer([row.id, ...rest.map((r) => r.id)], row.serverId, attempt.pausedUntil);
				for (const r of rest) outcomes.set(r.id, 'deferred');
				break;
			}
		}
	} finally {
		while (writing || sent.length) await (writing ?? writeSent());
	}
	if (writeFailed) throw writeFailed;
	return outcomes;
}

/**
 * The server's gate for each message: a server without rates is open or paused for all of them alike; one
 * with rates counts each message, and the first it cannot take closes the gate for the rest. The messages that
 * may not go now move to a job due when the gate opens. Returns those admitted, in order.
 */
async function passGates(
	pending: PendingMessage[],
	outcomes: Map<string, DeliveryOutcome>
): Promise<PendingMessage[]> {
	const admitted: PendingMessage[] = [];
	const closed = new Map<string, { until: Date; ids: string[] }>();
	for (const message of pending) {
		if (!message.serverId || !message.server) {
			admitted.push(message);
			continue;
		}
		const shut = closed.get(message.serverId);
		if (shut) {
			shut.ids.push(message.id);
			continue;
		}
		const { limits } = message.server;
		const gate = countsRates(limits)
			? await takeDeliverySlot(message.serverId, message.recipients.length, limits)
			: pauseDecision(message.pausedUntil, message.pauseReason);
		if (gate.open) admitted.push(message);
		else closed.set(message.serverId, { until: gate.until, ids: [message.id] });
	}
	for (const [serverId, { until, ids }] of closed) {
		await defer(ids, serverId, until);
		for (const message of pending.filter((p) => ids.includes(p.id))) {
			outcomes.set(message.id, 'deferred');
			mailAttempts.inc({ kind: message.kind, outcome: 'deferred' });
		}
	}
	return admitted;
}

type Attempt =
	| { outcome: 'sent'; reply: string; pausedUntil?: undefined }
	| { outcome: 'retrying' | 'failed'; pausedUntil?: undefined }
	| { outcome: 'deferred'; pausedUntil: Date }
	/** Moved to its fallback server, in a job of that server's (failOver). */
	| { outcome: 'deferred'; pausedUntil?: undefined };

/** One claimed attempt: sent (recorded by the caller, with others), failed, or given back to a paused server. */
async function attemptOne(
	row: OutboxRow,
	pending: PendingMessage,
	retryCount: number
): Promise<Attempt> {
	const body = openBody(row);
	try {
		if (!body)
			throw Object.assign(new Error('The message body is gone'), {
				code: 'EMESSAGE',
				permanent: true
			});
		if (!row.serverId)
			throw Object.assign(new Error('No SMTP server'), { code: 'ENOSERVER', permanent: true });
		const sent = await sendMailWithServer(
			row.serverId,
			{
				from: { address: row.fromAddress, ...(row.fromName ? { name: row.fromName } : {}) },
				to: row.recipients,
				subject: row.subject,
				text: body.text,
				html: body.html,
				headers: body.headers,
				messageId: row.messageId
			},
			pending.server ?? undefined
		);
		if (sent.accepted.length === 0)
			throw Object.assign(new Error('Every recipient was refused'), {
				code: 'EENVELOPE',
				response: sent.response,
				permanent: true
			});
		return { outcome: 'sent', reply: sent.response };
	} catch (error) {
		const failure = classifySendFailure(error);
		const backOff = row.serverId ? backOffFor(failure) : null;
		if (backOff && row.serverId) {
			const until = new Date(Date.now() + backOff.ms);
			await pauseServer(row.serverId, until, backOff.reason);
			await giveBackAttempts([row], failure.response);
			log.warn(
				{
					event: 'mail_server_paused',
					serverId: row.serverId,
					until,
					responseCode: failure.responseCode
				},
				backOff.reason
			);
			mailAttempts.inc({ kind: row.kind, outcome: 'deferred' });
			return { outcome: 'deferred', pausedUntil: until };
		}
		const diagnosis = await diagnoseDelivery(error, row);
		if (row.serverId && row.fallbackServerId && failsOver(error, failure)) {
			const moved = await failOver(row, failure, diagnosis);
			if (moved) {
				log.warn(
					{
						event: 'mail_failed_over',
						messageId: row.messageId,
						kind: row.kind,
						from: row.serverId,
						to: moved.id,
						errorCode: failure.code,
						diagnosis: diagnosis.id
					},
					`a message moved to its fallback server ${moved.name}`
				);
				mailAttempts.inc({ kind: row.kind, outcome: 'failed-over' });
				return { outcome: 'deferred' };
			}
		}
		const final =
			!failure.transient || row.attempts >= row.maxAttempts || retryCount >= MAX_ATTEMPTS - 1;
		await markFailedAttempt(row, { final, reply: failure.response, code: failure.code, diagnosis });
		mailAttempts.inc({ kind: row.kind, outcome: final ? 'failed' : 'retry' });
		log.warn(
			{
				event: final ? 'mail_failed' : 'mail_retrying',
				messageId: row.messageId,
				kind: row.kind,
				attempt: row.attempts,
				errorCode: failure.code,
				responseCode: failure.responseCode,
				diagnosis: diagnosis.id
			},
			final ? 'a message was given up' : 'a message will be retried'
		);
		if (final && row.serverId)
			await announceGivenUp({
				id: row.id,
				kind: row.kind,
				serverId: row.serverId,
				serverName: row.serverName,
				to: row.recipients,
				reply: failure.response,
				diagnosis: { title: diagnosis.title, fix: diagnosis.fix }
			});
		return { outcome: final ? 'failed' : 'retrying' };
	}
}

/**
 * Whether a failure is the server's, not the message's: it could not be reached, spoke no TLS, or refused to
 * sign Postern in (a token refused too). Such a message moves to its fallback server. A failure once the
 * message was being sent (a 5xx about it, a connection lost during DATA) does not: the server may have it.
 */
function failsOver(error: unknown, failure: SendFailure): boolean {
	if (failure.code === 'EGRAPH')
		return failure.responseCode === 401 || failure.responseCode === 403;
	if ((error as { errorNo?: unknown } | null)?.errorNo !== undefined) return true;
	// Graph over fetch: no connection at all (a reset or a timeout may come after Graph took the message)
	const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
	if (cause === 'ECONNREFUSED' || cause === 'ENOTFOUND' || cause === 'EAI_AGAIN') return true;
	return stepOfSendError(error) !== 'send';
}

/**
 * Moves a message to its fallback server, once: its server becomes the fallback (and is remembered as the one
 * it failed over from, for the mail log), the failed attempt's reply and diagnosis are kept, and a job of the
 * fallback's queue group, due now, takes it over, in one transaction. Returns the fallback, or null when it no
 * longer exists (the message then fails or retries where it is).
 */
async function failOver(
	row: OutboxRow,
	failure: SendFailure,
	diagnosis: Awaited<ReturnType<typeof diagnoseDelivery>>
): Promise<{ id: string; name: string } | null> {
	const fallbackId = row.fallbackServerId!;
	const [fallback] = await db()
		.select({ id: tables.smtpServers.id, name: tables.smtpServers.name })
		.from(tables.smtpServers)
		.where(eq(tables.smtpServers.id, fallbackId));
	if (!fallback) return null;
	const limits = await readServerLimits(fallbackId);
	const jobId = randomUUID();
	await db().transaction(async (tx) => {
		await moveToFallback(tx as unknown as Db, row, fallback, jobId, {
			reply: failure.response,
			code: failure.code,
			diagnosis
		});
		await mailQueue().insert(
			MAIL_QUEUE,
			[
				{
					id: jobId,
					data: { ids: [row.id] },
					...(limits ? { group: queueGroupOf(fallbackId, limits) } : {})
				}
			],
			{ db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql) }
		);
	});
	return fallback;
}

/** Replies that mean "not now, and not your message's fault": the server's queue waits instead. */
function backOffFor(failure: SendFailure): { ms: number; reason: string } | null {
	if (failure.code === 'EGRAPH' && failure.responseCode === 429) {
		const seconds = failure.retryAfterSeconds ?? 60;
		return {
			ms: seconds * 1000,
			reason: `Microsoft Graph is throttling this application (429); deliveries resume in ${seconds} s, as it asked.`
		};
	}
	const enhanced = failure.response ? readEnhancedStatus(failure.response) : undefined;
	if (enhanced && /^5\.2\.25[1-5]$/.test(enhanced))
		return {
			ms: MICROSOFT_THROTTLE_MS,
			reason: `Microsoft throttled this sender for continuous errors (${enhanced}); deliveries resume in 15 minutes.`
		};
	if (failure.responseCode === 421 || failure.responseCode === 432 || enhanced === '4.3.2')
		return {
			ms: SLOW_DOWN_MS,
			reason:
				`The server asked Postern to slow down (${failure.responseCode ?? ''} ${enhanced ?? ''}); deliveries resume in a minute.`.replace(
					/\s+\)/,
					')'
				)
		};
	return null;
}

/**
 * A new job for messages of one server, due when its gate opens (with a little jitter, so a backlog spreads);
 * the messages move to it, written in the same transaction as the job.
 */
async function defer(ids: string[], serverId: string, until: Date) {
	const limits = await readServerLimits(serverId);
	const startAfter = new Date(until.getTime() + Math.floor(Math.random() * 1000));
	const jobId = randomUUID();
	await db().transaction(async (tx) => {
		await moveToJob(tx as unknown as Db, ids, jobId);
		await mailQueue().insert(
			MAIL_QUEUE,
			[
				{
					id: jobId,
					data: { ids },
					startAfter,
					...(limits ? { group: queueGroupOf(serverId, limits) } : {})
				}
			],
			{ db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql) }
		);
	});
}
