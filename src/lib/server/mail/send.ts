/**
 * Production mail: one message through a saved server's pooled transport (transport.ts), from the server's
 * sender address. Resolves with what the server accepted; rejects with nodemailer's error (`code`,
 * `responseCode`, `permanent`), which classifySendFailure() turns into retry-or-park for the outbox worker.
 *
 * Every message carries a Message-ID: the caller's (the outbox keeps one per message, so a retry after a crash
 * is recognisable as the same message) or a new one.
 */
import { getServerSettings } from './server-reads.js';
import { getPooledTransport } from './transport.js';
import { readServerVersionAndLimits, type ServerLimits } from './limits.js';
import { isUuid } from '../ids.js';

/** Sends `message` through SMTP server `serverId`. */
export async function sendMailWithServer(
	serverId: string,
	message: OutgoingMessage,
	/** The server's version and limits when the caller has just read them (the outbox worker does). */
	known?: { version: Date; limits: ServerLimits }
): Promise<SentMail> {
	for (const [field, value] of [
		['subject', message.subject],
		['messageId', message.messageId],
		['replyTo', message.replyTo],
		['from', message.from?.address],
		['from name', message.from?.name],
		...Object.entries(message.headers ?? {})
	] as [string, string | undefined][])
		if (value !== undefined && /[\r\n]/.test(value))
			throw sendError(`The ${field} of a message must be on one line`, 'EMESSAGE');

	const saved = known ?? (isUuid(serverId) ? await readServerVersionAndLimits(serverId) : null);
	if (!saved) throw sendError('This SMTP server does not exist', 'ENOSERVER');
	// The pool holds the server to its connection limit in this process; the queue does so across instances.
	const transporter = await getPooledTransport(
		serverId,
		saved.version,
		() => getServerSettings(serverId),
		saved.limits.maxConnections
	);
	if (!transporter) throw sendError('This SMTP server does not exist', 'ENOSERVER');
	// The sender comes from the transport's defaults (the server's sender address and name); nodemailer makes
	// a Message-ID on the sender's domain when the caller brings none.
	const info = await transporter.sendMail({
		...(message.from
			? { from: { address: message.from.address, name: message.from.name ?? '' } }
			: {}),
		to: message.to,
		cc: message.cc,
		bcc: message.bcc,
		replyTo: message.replyTo,
		subject: message.subject,
		text: message.text,
		html: message.html,
		messageId: message.messageId,
		headers: message.headers
	});
	return {
		messageId: info.messageId,
		accepted: info.accepted.map(String),
		rejected: info.rejected.map(String),
		response: info.response,
		...(info.serverMessageId ? { serverMessageId: info.serverMessageId } : {})
	};
}

/**
 * Retry or park? Network failures, timeouts and 4xx replies are transient (retry with backoff); 5xx replies
 * and messages Postern itself refuses are permanent (park with the reply).
 */
export function classifySendFailure(error: unknown): SendFailure {
	const e = (error ?? {}) as {
		code?: string;
		responseCode?: number;
		response?: string;
		permanent?: boolean;
		retryAfterSeconds?: number | null;
	};
	// nodemailer sets `permanent` from the reply class (5xx but 503); no reply at all (network) is transient.
	// Not the code: nodemailer's own EMESSAGE also covers a 451 after DATA, which is worth retrying.
	const permanent = e.code === 'ENOSERVER' || e.permanent === true;
	return {
		transient: !permanent,
		code: e.code ?? null,
		responseCode: typeof e.responseCode === 'number' ? e.responseCode : null,
		response: typeof e.response === 'string' ? e.response : null,
		retryAfterSeconds: typeof e.retryAfterSeconds === 'number' ? e.retryAfterSeconds : null
	};
}

function sendError(message: string, code: string) {
	return Object.assign(new Error(message), { code, permanent: true });
}

export interface OutgoingMessage {
	/** Overrides the server's sender (an OTP generator's "Sender"); CR/LF refused like every header. */
	from?: { address: string; name?: string };
	to: string | string[];
	cc?: string | string[];
	bcc?: string | string[];
	replyTo?: string;
	subject: string;
	text: string;
	html?: string;
	/** "<id@domain>"; a new one when absent. */
	messageId?: string;
	headers?: Record<string, string>;
}

export interface SentMail {
	messageId: string;
	accepted: string[];
	rejected: string[];
	/** The server's final reply, e.g. "250 2.0.0 OK <id> [Hostname=...]". */
	response: string;
	/** The id the server gave the message (Exchange Online), when its reply names one. */
	serverMessageId?: string;
}

export interface SendFailure {
	transient: boolean;
	code: string | null;
	responseCode: number | null;
	response: string | null;
	/** Microsoft Graph's 429 (or 503): how long it asked us to wait. */
	retryAfterSeconds: number | null;
}
