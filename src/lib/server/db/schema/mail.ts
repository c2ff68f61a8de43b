import { sql } from 'drizzle-orm';
import {
	boolean,
	check,
	date,
	index,
	integer,
	jsonb,
	pgTable,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';

/**
 * SMTP servers: no login, Basic SMTP (username and password) or Microsoft Modern Authentication (OAuth2).
 * Secrets are stored sealed (secrets.ts) and never leave the mail module unopened or opened for a page: see
 * mail/servers.ts. Other tables (site settings, notification profiles, OTP generators) refer to `id`; deleting a
 * server they use is refused in code (mail/usages.ts), so no foreign key has to know about them.
 *
 * `updatedAt` changes on every saved edit and only then: the pooled transport of a server is keyed on it
 * (mail/transport.ts), so recording a test result must not touch it.
 */
export const smtpServers = pgTable(
	'smtp_servers',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** Display name, unique whatever the letter case. */
		name: text('name').notNull(),
		host: text('host').notNull(),
		port: integer('port').notNull(),
		/** Connection type: Unsecured, STARTTLS, SSL/TLS (implicit TLS). */
		security: text('security', { enum: ['none', 'starttls', 'tls'] }).notNull(),
		auth: text('auth', { enum: ['none', 'basic', 'microsoft', 'graph'] })
			.notNull()
			.default('none'),
		/** Basic: the SMTP username. */
		username: text('username'),
		/** Basic: the password, sealed. */
		passwordSealed: text('password_sealed'),
		/** Microsoft: Directory (tenant) ID, a GUID or a domain name. */
		tenantId: text('tenant_id'),
		/** Microsoft: Application (client) ID. */
		clientId: text('client_id'),
		/** Microsoft: the client secret's value, sealed. */
		clientSecretSealed: text('client_secret_sealed'),
		/** Microsoft: when the client secret expires (as chosen in Entra ID), for the expiry badge. */
		clientSecretExpiresOn: date('client_secret_expires_on', { mode: 'string' }),
		/** Microsoft: the mailbox the application sends as (the XOAUTH2 user). */
		mailbox: text('mailbox'),
		/** Microsoft: which Microsoft cloud the tenant lives in. */
		cloud: text('cloud', { enum: ['global', 'usgov', 'usgovdod', 'china'] })
			.notNull()
			.default('global'),
		fromAddress: text('from_address').notNull(),
		fromName: text('from_name'),
		verifyTls: boolean('verify_tls').notNull().default(true),
		/** Extra CA certificate(s), PEM, trusted in addition to the system's roots (internal servers). */
		caPem: text('ca_pem'),
		timeoutSeconds: integer('timeout_seconds').notNull().default(15),
		/** Delivery limits; null: the host's defaults (outbox/limits.ts: Microsoft 365's own limits). */
		maxConnections: integer('max_connections'),
		messagesPerMinute: integer('messages_per_minute'),
		recipientsPerDay: integer('recipients_per_day'),
		lastTestAt: timestamp('last_test_at', { withTimezone: true }),
		lastTestOk: boolean('last_test_ok'),
		/** Verdict, steps and diagnosis id of the last configuration test: never a transcript, never a secret. */
		lastTestSummary: jsonb('last_test_summary').$type<SmtpLastTestSummary>(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('smtp_servers_name_lower').on(sql`lower(${t.name})`),
		index('smtp_servers_name_prefix').on(sql`lower(${t.name}) text_pattern_ops`),
		check('smtp_servers_port', sql`${t.port} between 1 and 65535`),
		check('smtp_servers_timeout', sql`${t.timeoutSeconds} between 1 and 120`),
		check('smtp_servers_max_connections', sql`${t.maxConnections} between 1 and 50`),
		check('smtp_servers_messages_per_minute', sql`${t.messagesPerMinute} between 1 and 100000`),
		check('smtp_servers_recipients_per_day', sql`${t.recipientsPerDay} between 1 and 10000000`),
		check('smtp_servers_security', sql`${t.security} in ('none', 'starttls', 'tls')`),
		check('smtp_servers_auth', sql`${t.auth} in ('none', 'basic', 'microsoft', 'graph')`),
		check('smtp_servers_cloud', sql`${t.cloud} in ('global', 'usgov', 'usgovdod', 'china')`)
	]
);

export type SmtpServerRow = typeof smtpServers.$inferSelect;

export interface SmtpLastTestSummary {
	mode: 'verify' | 'send';
	verdict: string;
	diagnosisId: string | null;
	steps: { id: string; ok: boolean | null; ms: number | null }[];
	durationMs: number;
}

/**
 * Recent configuration-test outcomes by the fingerprint of the settings tested (mail/last-test.ts), so "test,
 * then save" keeps the test as the server's last one whichever instance served each request. The fingerprint
 * is keyed with the site key (secrets.ts keyedFingerprint): it covers secrets, and must not help guess them.
 */
export const smtpTestOutcomes = pgTable('smtp_test_outcomes', {
	fingerprint: text('fingerprint').primaryKey(),
	testedAt: timestamp('tested_at', { withTimezone: true }).notNull(),
	ok: boolean('ok').notNull(),
	summary: jsonb('summary').$type<SmtpLastTestSummary>().notNull()
});
