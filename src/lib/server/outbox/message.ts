/** The one shape of a message on its way out, whatever produced it. */
import type { MailKind, MailOrigin } from '../db/schema/outbox.js';

export type { MailKind, MailOrigin, MailStatus } from '../db/schema/outbox.js';

export interface OutboxMessage {
	kind: MailKind;
	/** The SMTP server it goes through. */
	serverId: string;
	/**
	 * The server it moves to when its own fails to connect or to sign in (not when it refuses the message):
	 * its purpose's fallback (an OTP generator's, say). Ignored when it is the same server or unknown.
	 */
	fallbackServerId?: string | null;
	/** Overrides the server's sender address (an OTP generator's Sender, a profile's Issuer). */
	from?: { address: string; name?: string };
	to: string[];
	subject: string;
	text: string;
	html?: string;
	headers?: Record<string, string>;
	/** Set when the body holds a code, key or link: the body is then erased once the message is done. */
	carriesSecret: boolean;
	/** "<id@domain>"; made from the sender's domain when absent. */
	messageId?: string;
	/** A second enqueue with the same key is a no-op and returns the first message's id. */
	dedupeKey?: string;
	/** What produced it (ids only), so a resend of a secret makes a fresh one. */
	origin?: MailOrigin;
	/** The failed message this one resends. */
	resentFrom?: string;
}

/** Where a message stands, as the mail log and a waiting request see it. */
export interface DeliveryState {
	id: string;
	status: import('../db/schema/outbox.js').MailStatus;
	attempts: number;
	lastReply: string | null;
	lastCode: string | null;
	diagnosis: { id: string; phase: string; title: string; explanation: string; fix: string } | null;
}
