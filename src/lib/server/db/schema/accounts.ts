import { sql } from 'drizzle-orm';
import {
	bigserial,
	index,
	integer,
	jsonb,
	pgTable,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** The site's console accounts: the UI Admin and the UI Primary Customer Support. */
export const admins = pgTable(
	'admins',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		username: text('username').notNull(),
		role: text('role', { enum: ['admin', 'support'] }).notNull(),
		passwordHash: text('password_hash').notNull(),
		email: text('email'),
		disabledAt: timestamp('disabled_at', { withTimezone: true }),
		createdAt: createdAt(),
		passwordChangedAt: timestamp('password_changed_at', { withTimezone: true })
			.notNull()
			.defaultNow()
	},
	(t) => [uniqueIndex('admins_username_lower').on(sql`lower(${t.username})`)]
);

/** One-time recovery codes, stored as argon2id hashes; `usedAt` set when spent. */
export const recoveryCodes = pgTable(
	'recovery_codes',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		adminId: uuid('admin_id')
			.notNull()
			.references(() => admins.id, { onDelete: 'cascade' }),
		codeHash: text('code_hash').notNull(),
		usedAt: timestamp('used_at', { withTimezone: true }),
		createdAt: createdAt()
	},
	(t) => [index('recovery_codes_admin').on(t.adminId)]
);

/** Console sessions: only the SHA-256 of the cookie's token is stored. */
export const adminSessions = pgTable(
	'admin_sessions',
	{
		tokenHash: text('token_hash').primaryKey(),
		adminId: uuid('admin_id')
			.notNull()
			.references(() => admins.id, { onDelete: 'cascade' }),
		createdAt: createdAt(),
		lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
		ip: text('ip'),
		userAgent: text('user_agent')
	},
	(t) => [index('admin_sessions_admin').on(t.adminId)]
);

/**
 * Failed sign-in counters, one row per key ("account:<lower username>" or "ip:<address>").
 * Kept in the database so several instances on one PostgreSQL share them.
 */
export const loginThrottle = pgTable('login_throttle', {
	key: text('key').primaryKey(),
	failures: integer('failures').notNull().default(0),
	lastFailureAt: timestamp('last_failure_at', { withTimezone: true }).notNull().defaultNow(),
	blockedUntil: timestamp('blocked_until', { withTimezone: true })
});

/**
 * Uses of admin-triggered probes (configuration tests, LDAP tests), one row per use, for their sliding-window
 * rate limit (rate-limit.ts). In the database, so the limit holds across instances.
 */
export const probeUses = pgTable(
	'probe_uses',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		key: text('key').notNull(),
		usedAt: timestamp('used_at', { withTimezone: true }).notNull()
	},
	(t) => [index('probe_uses_key_idx').on(t.key, t.usedAt)]
);

/** Who did what, when, from where. `detail` never holds a secret (see audit.ts). */
export const auditLog = pgTable(
	'audit_log',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
		actor: text('actor'),
		action: text('action').notNull(),
		outcome: text('outcome', { enum: ['ok', 'failed'] })
			.notNull()
			.default('ok'),
		ip: text('ip'),
		detail: jsonb('detail').$type<Record<string, unknown>>()
	},
	(t) => [index('audit_log_at').on(t.at)]
);

export type Admin = typeof admins.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;

/** Small facts about the installation, e.g. the check value that proves the secret key is the right one. */
export const appMeta = pgTable('app_meta', {
	key: text('key').primaryKey(),
	value: text('value').notNull()
});
