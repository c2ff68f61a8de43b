/**
 * Sending through Microsoft Graph instead of SMTP: the message composed as MIME (nodemailer's composer, so it
 * carries the same headers and Message-ID an SMTP send would) and posted, base64-encoded, to
 * `/users/{mailbox}/sendMail` of the server's national cloud, with an app-only token (microsoft.ts, Graph
 * scope). Microsoft documents this for app-only sending now that SMTP AUTH with Basic authentication is
 * switched off: the app holds the Mail.Send application permission, which RBAC for Applications can narrow to
 * the one sending mailbox.
 *
 * 202 means Graph *accepted* the message for delivery, not that it was delivered: the reply Postern records
 * says so. A refusal rejects with a GraphSendError that carries the HTTP status, Graph's error code
 * (ErrorAccessDenied, MailboxNotEnabledForRESTAPI, ErrorInvalidUser ...) and, for 429, how long Graph asked
 * us to wait; diagnose.ts reads those codes.
 */
import type { Transport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { MICROSOFT_GRAPH_CLOUDS } from '../../microsoft-endpoints.js';
import { acquireMicrosoftToken, microsoftFetch } from './microsoft.js';
import type { MicrosoftApp } from './types.js';

/** How long a sendMail request may take before it is abandoned (Graph answers in well under a second). */
const GRAPH_TIMEOUT_MS = 30_000;
/** A 429 without Retry-After waits this long (Graph's throttling guidance: back off, then retry). */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

export interface GraphAccount extends MicrosoftApp {
	/** The mailbox the app sends as: its user principal name or SMTP address. */
	mailbox: string;
}

export interface GraphSent {
	/** Always 202 on success. */
	status: number;
	/** Graph's request-id, for Microsoft support. */
	requestId: string | null;
	/** A line for the mail log, like an SMTP server's final reply. */
	response: string;
}

export class GraphSendError extends Error {
	code = 'EGRAPH';
	constructor(
		readonly status: number,
		readonly graphCode: string | null,
		message: string,
		/** 429 and 503: seconds Graph asked us to wait. */
		readonly retryAfterSeconds: number | null,
		readonly requestId: string | null
	) {
		super(message);
	}

	/** Throttling and Graph's own outages pass; a refusal of the app or the mailbox does not. */
	get transient(): boolean {
		return this.status === 429 || this.status >= 500;
	}

	/** Read like nodemailer's errors by the outbox (send.ts classifySendFailure) and the mail log. */
	get permanent(): boolean {
		return !this.transient;
	}
	get responseCode(): number {
		return this.status;
	}
	get response(): string {
		return this.message;
	}
}

/** The endpoint a message to `mailbox` is posted to. */
export function graphSendMailUrl(account: Pick<GraphAccount, 'cloud' | 'mailbox'>): string {
	const host = MICROSOFT_GRAPH_CLOUDS[account.cloud].host;
	return `https://${host}/v1.0/users/${encodeURIComponent(account.mailbox.trim())}/sendMail`;
}

/** The message as RFC 5322 MIME: what Graph's sendMail takes when posted as text/plain, base64. */
export async function composeMime(message: Mail.Options): Promise<Buffer> {
	return new MailComposer(message).compile().build();
}

/** Posts `message` to Graph as `account.mailbox`. Rejects with GraphSendError (or msal's error for the token). */
export async function sendWithGraph(
	account: GraphAccount,
	message: Mail.Options,
	options: { forceRefreshToken?: boolean; timeoutMs?: number } = {}
): Promise<GraphSent> {
	return postMime(account, await composeMime(message), options);
}

/** Posts a composed message (RFC 5322 MIME) to Graph as `account.mailbox`. */
export async function postMime(
	account: GraphAccount,
	mime: Buffer,
	options: { forceRefreshToken?: boolean; timeoutMs?: number } = {}
): Promise<GraphSent> {
	const token = await acquireMicrosoftToken(account, {
		resource: 'graph',
		forceRefresh: options.forceRefreshToken ?? false,
		...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {})
	});
	const response = await microsoftFetch()(graphSendMailUrl(account), {
		method: 'POST',
		headers: {
			authorization: `Bearer ${token.accessToken}`,
			'content-type': 'text/plain'
		},
		body: mime.toString('base64'),
		signal: AbortSignal.timeout(options.timeoutMs ?? GRAPH_TIMEOUT_MS)
	});
	const requestId = response.headers.get('request-id');
	if (response.status === 202)
		return {
			status: 202,
			requestId,
			response: `202 Accepted by Microsoft Graph for delivery (not yet delivered)${requestId ? ` request-id ${requestId}` : ''}`
		};
	throw await graphErrorOf(response, requestId);
}

/** What a send through the Graph transport resolves with (nodemailer's info). */
export interface GraphSentInfo {
	envelope: { from: string | false; to: string[] };
	messageId: string;
	accepted: string[];
	rejected: string[];
	response: string;
}

/**
 * A nodemailer transport that posts each message to Graph: production mail (transport.ts) builds its
 * transporter from it for a Graph server, so the outbox, the Message-ID and the headers work as for SMTP.
 * Graph takes the recipients from the message's To and Cc (a Bcc would be dropped with the header: Postern's
 * messages have none).
 */
export function createGraphTransport(
	account: GraphAccount,
	timeoutMs?: number
): Transport<GraphSentInfo> {
	return {
		name: 'microsoft-graph',
		version: '1',
		send(mail, callback) {
			const envelope = mail.message.getEnvelope();
			const messageId = mail.message.messageId();
			mail.message.build((error, raw) => {
				if (error) return callback(error, undefined as unknown as GraphSentInfo);
				postMime(account, raw, timeoutMs ? { timeoutMs } : {}).then(
					(sent) =>
						callback(null, {
							envelope,
							messageId,
							accepted: envelope.to,
							rejected: [],
							response: sent.response
						}),
					(failure: Error) => callback(failure, undefined as unknown as GraphSentInfo)
				);
			});
		}
	};
}

async function graphErrorOf(response: Response, requestId: string | null): Promise<GraphSendError> {
	let code: string | null = null;
	let text = '';
	try {
		const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
		code = typeof body.error?.code === 'string' ? body.error.code : null;
		text = typeof body.error?.message === 'string' ? body.error.message : '';
	} catch {
		// not JSON (a proxy's page): the status says enough
	}
	const retryAfter = Number(response.headers.get('retry-after'));
	const retryAfterSeconds =
		response.status === 429 || response.status === 503
			? Number.isFinite(retryAfter) && retryAfter > 0
				? retryAfter
				: response.status === 429
					? DEFAULT_RETRY_AFTER_SECONDS
					: null
			: null;
	return new GraphSendError(
		response.status,
		code,
		`${response.status}${code ? ` ${code}` : ''}${text ? `: ${text}` : ''}`.slice(0, 500),
		retryAfterSeconds,
		requestId
	);
}
