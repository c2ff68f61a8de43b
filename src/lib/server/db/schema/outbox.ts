import { sql } from 'drizzle-orm';
import {
	boolean,
	index,
	integer,
	jsonb,
	pgTable,
	text,
	timestamp,
	uuid
} from 'drizzle-orm/pg-core';
import { MAIL_KIND_CHOICES, MAIL_STATUS_CHOICES } from '../../../choices/mail-log.js';

/** What a message is for (the mail log filters by it and the templates are chosen by it), and its states. */
export const MAIL_KINDS = MAIL_KIND_CHOICES;
export type MailKind = (typeof MAIL_KINDS)[number];

export interface MailOrigin {
	loginId?: string;
	accountId?: string;
	/** A notification: its profile (the profile's page lists its last notifications). */
	profileId?: string;
	launchId?: string;
	/** An alert: its episode (the alerts history lists its messages). */
	alertId?: string;
}

export const MAIL_STATUSES = MAIL_STATUS_CHOICES;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/**
 * The outbox: every message Postern sends (but a configuration test, which talks to the server directly and
 * shows its transcript) is a row here before it is a job in the queue, written in the same transaction as the
 * job, so a message exists exactly when it will be sent. The row is also the mail log.
 *
 * The body is always sealed with the site key (secrets.ts). A body that carries a secret (a code, a key, a
 * link) is erased once the message is delivered or given up, so the log keeps metadata only. `serverName` is
 * kept so the log still names the server after it is deleted.
 */
export const mailOutbox = pgTable(
	'mail_outbox',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		kind: text('kind', { enum: MAIL_KINDS }).notNull(),
		serverId: uuid('server_id'),
		serverName: text('server_name').notNull(),
		/** Where the message goes if its server fails to connect or to sign in (used once, then cleared). */
		fallbackServerId: uuid('fallback_server_id'),
		/** The server it was moved away from after such a failure, for the mail log. */
		failedOverFrom: text('failed_over_from'),
		fromAddress: text('from_address').notNull(),
		fromName: text('from_name'),
		recipients: text('recipients').array().notNull(),
		subject: text('subject').notNull(),
		/** Sealed JSON { text, html, headers }; null once a secret-carrying message is done. */
		bodySealed: text('body_sealed'),
		carriesSecret: boolean('carries_secret').notNull(),
		/** "<id@domain>": the same on every attempt, so a resend after a crash is recognisable. */
		messageId: text('message_id').notNull().unique(),
		/** A producer's key for "this message once": a second enqueue with it is a no-op. */
		dedupeKey: text('dedupe_key').unique(),
		status: text('status', { enum: MAIL_STATUSES }).notNull().default('queued'),
		attempts: integer('attempts').notNull().default(0),
		maxAttempts: integer('max_attempts').notNull(),
		/** The queue job that delivers it (pg-boss), for its next retry time. */
		jobId: uuid('job_id'),
		lastReply: text('last_reply'),
		lastCode: text('last_code'),
		/** The diagnosis of the last failure, in the words of mail/diagnose.ts. */
		diagnosis: jsonb('diagnosis').$type<{
			id: string;
			phase: string;
			title: string;
			explanation: string;
			fix: string;
		}>(),
		/**
		 * What produced it, so a resend can produce a fresh one instead of the old secret: { loginId } for a
		 * sign-in code, { accountId } for a reset link. Identifiers only.
		 */
		origin: jsonb('origin').$type<MailOrigin>(),
		/** The failed message this one resends (the log links them). */
		resentFrom: uuid('resent_from'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
		sentAt: timestamp('sent_at', { withTimezone: true })
	},
	(t) => [
		// The mail log pages newest first by (created_at, id); filters narrow by status, kind or server.
		index('mail_outbox_created_idx').on(t.createdAt.desc(), t.id.desc()),
		index('mail_outbox_status_idx').on(t.status, t.createdAt.desc()),
		index('mail_outbox_kind_idx').on(t.kind, t.createdAt.desc()),
		index('mail_outbox_server_idx').on(t.serverId, t.status, t.createdAt.desc()),
		// "to this address": recipients @> array[...] (GIN), fast at a million rows
		index('mail_outbox_recipients_idx').using('gin', t.recipients),
		// a notification profile's latest messages
		index('mail_outbox_profile_idx')
			.on(sql`(${t.origin} ->> 'profileId')`, t.createdAt.desc())
			.where(sql`${t.origin} ->> 'profileId' is not null`),
		// an alert's messages (the alerts history)
		index('mail_outbox_alert_idx')
			.on(sql`(${t.origin} ->> 'alertId')`)
			.where(sql`${t.origin} ->> 'alertId' is not null`),
		index('mail_outbox_unfinished_idx')
			.on(t.updatedAt)
			.where(sql`${t.status} in ('queued', 'sending', 'retrying')`)
	]
);

/**
 * Each SMTP server's delivery gate, shared by every instance: a pause (the server asked us to back off, or
 * Microsoft throttled the sender for continuous errors) and the counters of its per-minute message and
 * per-day recipient limits. One row per server, changed only by single conditional UPDATEs (outbox/gate.ts),
 * so two instances never both take the last slot.
 */
export const smtpDeliveryGates = pgTable('smtp_delivery_gates', {
	serverId: uuid('server_id').primaryKey(),
	pausedUntil: timestamp('paused_until', { withTimezone: true }),
	/** Why it is paused, in words for the server's page. */
	pauseReason: text('pause_reason'),
	minuteStartedAt: timestamp('minute_started_at', { withTimezone: true }).notNull().defaultNow(),
	messagesThisMinute: integer('messages_this_minute').notNull().default(0),
	dayStartedAt: timestamp('day_started_at', { withTimezone: true }).notNull().defaultNow(),
	recipientsToday: integer('recipients_today').notNull().default(0)
});
