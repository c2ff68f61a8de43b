/**
 * Delivers one outbox message per job, through the server's pooled transport (mail/send.ts).
 *
 * - The server's gate first (gate.ts): paused, or at its per-minute or per-day limit, the message is deferred
 *   to when the gate opens; that is not an attempt.
 * - A server that asks us to slow down (421, 432 4.3.2) pauses for a minute and the attempt is given back;
 *   Microsoft's 5.2.251-255 ("throttled due to continuous errors") pauses it for 15 minutes, said on its page.
 * - Another transient failure (no answer, a timeout, a 4xx reply) throws, and pg-boss retries the job with
 *   exponential backoff and jitter; a permanent one (a 5xx reply, a message Postern refuses) parks the message
 *   as failed with the reply and its diagnosis.
 *
 * Delivery is at least once: a retry after a crash mid-send carries the same Message-ID, so a duplicate is
 * recognisable; a message already sent is never sent again (store.ts claims each attempt), which also makes a
 * stray second job for one message harmless.
 */
import { classifySendFailure, sendMailWithServer, type SendFailure } from '../mail/send.js';
import { readEnhancedStatus } from '../mail/diagnose.js';
import { log } from '../log.js';
import { mailAttempts, mailDeliverySeconds } from '../metrics/registry.js';
import {
	claimAttempt,
	giveBackAttempt,
	markFailedAttempt,
	markSent,
	openBody,
	peekForDelivery,
	setJobId
} from './store.js';
import { db } from '../db/index.js';
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

type Job = { id: string; retryCount: number; data: { id: string } };

async function settle(job: Job) {
	const queue = mailQueue();
	try {
		const outcome = await deliver(job.data.id, job.retryCount);
		if (outcome !== 'deferred' && outcome !== 'nothing-to-do') announceAttemptEnded(job.data.id);
		await queue.complete(MAIL_QUEUE, { id: job.id, retryCount: job.retryCount });
	} catch (error) {
		announceAttemptEnded(job.data.id);
		// pg-boss retries the job with exponential backoff and jitter (deliver recorded why it failed)
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

/** One attempt at message `id`; `retryCount` is the queue's count of earlier attempts. */
export async function deliver(id: string, retryCount = 0): Promise<DeliveryOutcome> {
	const pending = await peekForDelivery(id);
	if (!pending) return 'nothing-to-do';
	if (pending.serverId && pending.server) {
		const { limits } = pending.server;
		const gate = countsRates(limits)
			? await takeDeliverySlot(pending.serverId, pending.recipients.length, limits)
			: pauseDecision(pending.pausedUntil, pending.pauseReason);
		if (!gate.open) {
			await defer(id, pending.serverId, gate.until);
			mailAttempts.inc({ kind: pending.kind, outcome: 'deferred' });
			return 'deferred';
		}
	}
	const row = await claimAttempt(id);
	if (!row) return 'nothing-to-do';
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
		await markSent(row, sent.response);
		deliveredHere++;
		mailAttempts.inc({ kind: row.kind, outcome: 'sent' });
		mailDeliverySeconds.observe({ kind: row.kind }, (Date.now() - row.createdAt.getTime()) / 1000);
		return 'sent';
	} catch (error) {
		const failure = classifySendFailure(error);
		const backOff = row.serverId ? backOffFor(failure) : null;
		if (backOff && row.serverId) {
			const until = new Date(Date.now() + backOff.ms);
			await pauseServer(row.serverId, until, backOff.reason);
			await giveBackAttempt(row, failure.response);
			await defer(id, row.serverId, until);
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
			return 'deferred';
		}
		const final =
			!failure.transient || row.attempts >= row.maxAttempts || retryCount >= MAX_ATTEMPTS - 1;
		const diagnosis = await diagnoseDelivery(error, row);
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
		if (final) {
			if (row.serverId)
				await announceGivenUp({
					id: row.id,
					kind: row.kind,
					serverId: row.serverId,
					serverName: row.serverName,
					to: row.recipients,
					reply: failure.response,
					diagnosis: { title: diagnosis.title, fix: diagnosis.fix }
				});
			return 'failed';
		}
		// pg-boss retries the job with exponential backoff and jitter.
		throw Object.assign(new Error(`attempt ${row.attempts} failed: ${diagnosis.id}`), {
			cause: failure.code
		});
	}
}

/** Replies that mean "not now, and not your message's fault": the server's queue waits instead. */
function backOffFor(failure: SendFailure): { ms: number; reason: string } | null {
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

/** A new job for the message, due when the server's gate opens (with a little jitter, so a backlog spreads). */
async function defer(id: string, serverId: string, until: Date) {
	const limits = await readServerLimits(serverId);
	const startAfter = new Date(until.getTime() + Math.floor(Math.random() * 1000));
	const jobId = await mailQueue().send(
		MAIL_QUEUE,
		{ id },
		{ startAfter, ...(limits ? { group: queueGroupOf(serverId, limits) } : {}) }
	);
	if (jobId) await setJobId(db(), id, jobId);
}
