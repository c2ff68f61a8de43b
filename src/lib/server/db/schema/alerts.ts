import { sql } from 'drizzle-orm';
import {
	boolean,
	index,
	integer,
	jsonb,
	pgTable,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import { smtpServers } from './mail.js';

/**
 * One row per alert type the admin has touched; a type without a row is enabled and goes to the Default
 * Recipients (site settings), so a new alert type works without a migration.
 */
export const alertRules = pgTable('alert_rules', {
	type: text('type').primaryKey(),
	enabled: boolean('enabled').notNull().default(true),
	/** 'default': the site's Default Recipients; 'custom': `customRecipients`. */
	recipientsMode: text('recipients_mode', { enum: ['default', 'custom'] })
		.notNull()
		.default('default'),
	customRecipients: jsonb('custom_recipients').$type<string[]>().notNull().default([]),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

/** The alert connector's settings, one row (id = 1); absent: the defaults below. */
export const alertSettings = pgTable('alert_settings', {
	id: integer('id').primaryKey().default(1),
	/** How often each SMTP server in use is checked (connect, TLS, authenticate; no mail). */
	healthIntervalMinutes: integer('health_interval_minutes').notNull().default(5),
	/** An alert still firing is mailed again after this long. */
	repeatHours: integer('repeat_hours').notNull().default(6),
	/** The backlog alert: more than this many messages waiting longer than `backlogMinutes`. */
	backlogThreshold: integer('backlog_threshold').notNull().default(100),
	backlogMinutes: integer('backlog_minutes').notNull().default(15),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

/**
 * An alert's life: fired once per condition (type + key, e.g. a server's id), mailed again after the repeat
 * interval while it lasts, resolved when it clears. The partial unique index makes "fire" an atomic upsert,
 * so two instances (or a restart) seeing the same condition keep one open episode and send one mail.
 */
export const alertEpisodes = pgTable(
	'alert_episodes',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		type: text('type').notNull(),
		key: text('key').notNull(),
		/** What it is about, in words (a server's name, an account), as it was when it fired. */
		about: text('about').notNull(),
		/** The facts the mail states, in order, as [label, value] (jsonb would reorder an object's keys). */
		facts: jsonb('facts').$type<[string, string][]>().notNull().default([]),
		/** The condition's severity step (secret expiry: 30, 14, 7 days, expired); a worse step mails at once. */
		level: integer('level').notNull().default(0),
		occurrences: integer('occurrences').notNull().default(1),
		firedAt: timestamp('fired_at', { withTimezone: true }).notNull().defaultNow(),
		lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
		/** When the last mail about it was queued; null while it could not be (no server, no recipient). */
		notifiedAt: timestamp('notified_at', { withTimezone: true }),
		notifications: integer('notifications').notNull().default(0),
		resolvedAt: timestamp('resolved_at', { withTimezone: true }),
		/** Whether the "resolved" mail was queued (events close silently: there is nothing to clear). */
		resolvedNotified: boolean('resolved_notified').notNull().default(false),
		/** Everyone any of its mails went to. */
		recipients: jsonb('recipients').$type<string[]>().notNull().default([]),
		/** A test alert from the alerts page: listed in the history, never repeated or resolved. */
		test: boolean('test').notNull().default(false)
	},
	(t) => [
		uniqueIndex('alert_episodes_open')
			.on(t.type, t.key)
			.where(sql`${t.resolvedAt} is null`),
		index('alert_episodes_fired').on(t.firedAt, t.id)
	]
);

/** The last health check of each SMTP server (connect, TLS, authenticate), for the failing-server alert. */
export const smtpHealth = pgTable('smtp_health', {
	serverId: uuid('server_id')
		.primaryKey()
		.references(() => smtpServers.id, { onDelete: 'cascade' }),
	checkedAt: timestamp('checked_at', { withTimezone: true }).notNull(),
	ok: boolean('ok').notNull(),
	/** The verdict, or what failed in words. */
	summary: text('summary').notNull(),
	/** What to do about a failure (the diagnosis's fix). */
	fix: text('fix')
});

export type AlertEpisodeRow = typeof alertEpisodes.$inferSelect;
