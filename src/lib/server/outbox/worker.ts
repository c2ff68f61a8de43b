/**
 * Delivers one outbox message per job, through the server's pooled transport (mail/send.ts). A transient
 * failure (no answer, a timeout, a 4xx reply) throws, and pg-boss retries the job with backoff; a permanent one
 * (a 5xx reply, a message Postern refuses) parks the message as failed with the reply and its diagnosis.
 * Delivery is at least once: a retry after a crash mid-send carries the same Message-ID, so a duplicate is
 * recognisable; a message already sent is never sent again (store.ts claims each attempt).
 */
import { classifySendFailure, sendMailWithServer } from '../mail/send.js';
import { log } from '../log.js';
import { claimAttempt, markFailedAttempt, markSent, openBody } from './store.js';
import { diagnoseDelivery } from './diagnosis.js';
import { MAIL_QUEUE, MAX_ATTEMPTS, mailQueue } from './queue.js';

/** Messages in flight per instance; the per-server connection limit applies on top. */
const CONCURRENCY = 4;

export async function startMailWorker(): Promise<void> {
	await mailQueue().work<{ id: string }>(
		MAIL_QUEUE,
		{
			localConcurrency: CONCURRENCY,
			batchSize: 1,
			pollingIntervalSeconds: 1,
			includeMetadata: true
		},
		async ([job]) => deliver(job.data.id, job.retryCount)
	);
}

export type DeliveryOutcome = 'sent' | 'retrying' | 'failed' | 'nothing-to-do';

/** One attempt at message `id`; `retryCount` is the queue's count of earlier attempts. */
export async function deliver(id: string, retryCount = 0): Promise<DeliveryOutcome> {
	const row = await claimAttempt(id);
	if (!row) return 'nothing-to-do';
	const body = openBody(row);
	try {
		if (!body) throw Object.assign(new Error('The message body is gone'), { code: 'EMESSAGE' });
		if (!row.serverId)
			throw Object.assign(new Error('No SMTP server'), { code: 'ENOSERVER', permanent: true });
		const sent = await sendMailWithServer(row.serverId, {
			from: { address: row.fromAddress, ...(row.fromName ? { name: row.fromName } : {}) },
			to: row.recipients,
			subject: row.subject,
			text: body.text,
			html: body.html,
			headers: body.headers,
			messageId: row.messageId
		});
		if (sent.accepted.length === 0)
			throw Object.assign(new Error('Every recipient was refused'), {
				code: 'EENVELOPE',
				response: sent.response,
				permanent: true
			});
		await markSent(row, sent.response);
		return 'sent';
	} catch (error) {
		const failure = classifySendFailure(error);
		const final =
			!failure.transient || row.attempts >= row.maxAttempts || retryCount >= MAX_ATTEMPTS - 1;
		const diagnosis = await diagnoseDelivery(error, row);
		await markFailedAttempt(row, {
			final,
			reply: failure.response,
			code: failure.code,
			diagnosis
		});
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
		if (final) return 'failed';
		// pg-boss retries the job with exponential backoff and jitter.
		throw Object.assign(new Error(`attempt ${row.attempts} failed: ${diagnosis.id}`), {
			cause: failure.code
		});
	}
}
