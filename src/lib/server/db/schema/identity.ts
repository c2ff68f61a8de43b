import { sql } from 'drizzle-orm';
import {
	bigint,
	boolean,
	check,
	index,
	integer,
	pgTable,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import { smtpServers } from './mail.js';

/**
 * Identity: applications users launch from the portal, OTP token generators, identity domains (local or
 * LDAP), local users, TOTP enrollments, e-mail OTP challenges, end-user sessions (pending and complete) and
 * launches.
 *
 * Secrets (TOTP keys, LDAP bind passwords) are sealed (secrets.ts); codes and session tokens are stored as
 * SHA-256 hashes only.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** What users launch from the portal. */
export const applications = pgTable(
	'applications',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		name: text('name').notNull(),
		url: text('url').notNull(),
		description: text('description').notNull().default(''),
		createdAt: createdAt(),
		updatedAt: updatedAt()
	},
	(t) => [
		uniqueIndex('applications_name_lower').on(sql`lower(${t.name})`),
		// the list's search on the start of a name (db/keyset-pages.ts)
		index('applications_name_prefix').on(sql`lower(${t.name}) text_pattern_ops`)
	]
);

/**
 * OTP token generators: "OTP – e-mail" and "OTP – Google Authenticator" (TOTP). The SMTP server is required for
 * e-mail OTP and for TOTP when keys are sent by e-mail (checked by the form schema and the module); deleting a
 * server still in use is refused (foreign key, and mail/usages.ts through otpGeneratorUsagesOfServers).
 */
export const otpGenerators = pgTable(
	'otp_generators',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		type: text('type', { enum: ['email', 'totp'] }).notNull(),
		name: text('name').notNull(),
		smtpServerId: uuid('smtp_server_id').references(() => smtpServers.id, {
			onDelete: 'restrict'
		}),
		/** "Fallback SMTP server": where codes and keys go when the server fails to connect or sign in. */
		fallbackSmtpServerId: uuid('fallback_smtp_server_id').references(() => smtpServers.id, {
			onDelete: 'restrict'
		}),
		/** The From address of codes and keys. */
		sender: text('sender'),
		/** E-mail OTP: digits per code. */
		codeLength: integer('code_length').notNull().default(6),
		/** E-mail OTP: how long a code stays valid. */
		validitySeconds: integer('validity_seconds').notNull().default(300),
		/** TOTP: the issuer shown in authenticator apps. */
		issuer: text('issuer'),
		algorithm: text('algorithm', { enum: ['sha1', 'sha256', 'sha512'] })
			.notNull()
			.default('sha1'),
		digits: integer('digits').notNull().default(6),
		period: integer('period').notNull().default(30),
		/** TOTP: "Display a QR code on the user portal". */
		showQr: boolean('show_qr').notNull().default(true),
		/** TOTP: "Send generated keys by e-mail" (off by default: the mailbox then becomes the only factor). */
		sendKeyByEmail: boolean('send_key_by_email').notNull().default(false),
		createdAt: createdAt(),
		updatedAt: updatedAt()
	},
	(t) => [
		uniqueIndex('otp_generators_name_lower').on(sql`lower(${t.name})`),
		index('otp_generators_name_prefix').on(sql`lower(${t.name}) text_pattern_ops`),
		check('otp_generators_type', sql`${t.type} in ('email', 'totp')`),
		check('otp_generators_code_length', sql`${t.codeLength} between 6 and 8`),
		check('otp_generators_validity', sql`${t.validitySeconds} between 60 and 600`),
		check('otp_generators_algorithm', sql`${t.algorithm} in ('sha1', 'sha256', 'sha512')`),
		check('otp_generators_digits', sql`${t.digits} in (6, 8)`),
		check('otp_generators_period', sql`${t.period} in (30, 60)`)
	]
);

/** Identity providers: local (users below) or LDAP. */
export const domains = pgTable(
	'domains',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		kind: text('kind', { enum: ['local', 'ldap'] }).notNull(),
		name: text('name').notNull(),
		/** Test domains are listed first: new settings are tried there before they go on the main domain. */
		isTest: boolean('is_test').notNull().default(false),
		/** The "Authentication tokens": none, or an e-mail OTP or TOTP generator. */
		otpGeneratorId: uuid('otp_generator_id').references(() => otpGenerators.id, {
			onDelete: 'restrict'
		}),
		/** Where the user's e-mail address is: `email` for local domains, `mail` for LDAP by default. */
		emailAttribute: text('email_attribute').notNull(),
		ldapUrl: text('ldap_url'),
		ldapStartTls: boolean('ldap_start_tls').notNull().default(false),
		ldapCaPem: text('ldap_ca_pem'),
		ldapBindDn: text('ldap_bind_dn'),
		ldapBindPasswordSealed: text('ldap_bind_password_sealed'),
		ldapBaseDn: text('ldap_base_dn'),
		/** A filter with `{username}`, e.g. (&(objectClass=inetOrgPerson)(uid={username})). */
		ldapUserFilter: text('ldap_user_filter'),
		ldapTimeoutSeconds: integer('ldap_timeout_seconds').notNull().default(10),
		createdAt: createdAt(),
		updatedAt: updatedAt()
	},
	(t) => [
		uniqueIndex('domains_name_lower').on(sql`lower(${t.name})`),
		index('domains_name_prefix').on(sql`lower(${t.name}) text_pattern_ops`),
		// the list's order and cursor, test domains first (identity/domain-reads.ts domainListKey)
		index('domains_list_key').on(
			sql`((case when ${t.isTest} then '0' else '1' end) || lower(${t.name}))`
		),
		check('domains_kind', sql`${t.kind} in ('local', 'ldap')`),
		check('domains_ldap_timeout', sql`${t.ldapTimeoutSeconds} between 1 and 60`)
	]
);

/** Users of local domains. */
export const users = pgTable(
	'users',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		domainId: uuid('domain_id')
			.notNull()
			.references(() => domains.id, { onDelete: 'cascade' }),
		username: text('username').notNull(),
		displayName: text('display_name').notNull().default(''),
		email: text('email'),
		passwordHash: text('password_hash').notNull(),
		disabledAt: timestamp('disabled_at', { withTimezone: true }),
		passwordChangedAt: timestamp('password_changed_at', { withTimezone: true })
			.notNull()
			.defaultNow(),
		createdAt: createdAt(),
		updatedAt: updatedAt()
	},
	(t) => [
		uniqueIndex('users_domain_username_lower').on(t.domainId, sql`lower(${t.username})`),
		// the user list's search on the start of a username, e-mail or display name (LIKE 'x%' in any collation)
		index('users_domain_username_prefix').on(
			t.domainId,
			sql`lower(${t.username}) text_pattern_ops`
		),
		index('users_domain_email_prefix').on(t.domainId, sql`lower(${t.email}) text_pattern_ops`),
		index('users_domain_display_name_prefix').on(
			t.domainId,
			sql`lower(${t.displayName}) text_pattern_ops`
		)
	]
);

/**
 * TOTP enrollments, one per person and domain, for local and LDAP users alike. `personKey` is the stable key
 * of the person (local: the user id; LDAP: the entry's entryUUID/objectGUID, else its DN, lower-cased), so
 * two spellings of one login cannot hold two enrollments; `username` is kept for display and admin search.
 * The algorithm, digits and period are copied from the generator at enrollment: editing the generator later
 * does not break the apps already set up.
 */
export const totpEnrollments = pgTable(
	'totp_enrollments',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		domainId: uuid('domain_id')
			.notNull()
			.references(() => domains.id, { onDelete: 'cascade' }),
		// The column is still named `subject`: only the TypeScript name changed, so no migration was needed.
		personKey: text('subject').notNull(),
		username: text('username').notNull(),
		secretSealed: text('secret_sealed').notNull(),
		algorithm: text('algorithm', { enum: ['sha1', 'sha256', 'sha512'] }).notNull(),
		digits: integer('digits').notNull(),
		period: integer('period').notNull(),
		confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
		/** The last time step a code was accepted for; any step at or before it is refused (replay). */
		lastUsedStep: bigint('last_used_step', { mode: 'number' }),
		keyMailedAt: timestamp('key_mailed_at', { withTimezone: true }),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('totp_enrollments_subject').on(t.domainId, t.personKey)]
);

/**
 * End-user sessions, pending and complete, apart from admin sessions. A row is created when the password is
 * right (`stage` 'password-ok', short-lived, `factor` says what comes next) and gets a new token, stage
 * 'complete' and a longer life once the second factor is passed. Only the SHA-256 of a token is stored.
 */
export const userSessions = pgTable(
	'user_sessions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		tokenHash: text('token_hash').notNull(),
		stage: text('stage', { enum: ['password-ok', 'complete'] }).notNull(),
		factor: text('factor', { enum: ['none', 'email-otp', 'totp'] }).notNull(),
		domainId: uuid('domain_id')
			.notNull()
			.references(() => domains.id, { onDelete: 'cascade' }),
		/** Local users only: lets disabling a user end their sessions. */
		userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
		// The column is still named `subject`: only the TypeScript name changed, so no migration was needed.
		personKey: text('subject').notNull(),
		username: text('username').notNull(),
		displayName: text('display_name').notNull().default(''),
		email: text('email'),
		createdAt: createdAt(),
		lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		completedAt: timestamp('completed_at', { withTimezone: true }),
		ip: text('ip'),
		userAgent: text('user_agent')
	},
	(t) => [
		uniqueIndex('user_sessions_token_hash').on(t.tokenHash),
		index('user_sessions_subject').on(t.domainId, t.personKey),
		check('user_sessions_stage', sql`${t.stage} in ('password-ok', 'complete')`),
		check('user_sessions_factor', sql`${t.factor} in ('none', 'email-otp', 'totp')`)
	]
);

/**
 * E-mail OTP codes: only a salted SHA-256 of the code, bound to one login (`loginId`). `domainId` +
 * `personKey` let the per-account sending limit count codes across logins; rows outlive their login for that.
 */
export const otpChallenges = pgTable(
	'otp_challenges',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		purpose: text('purpose', { enum: ['login'] })
			.notNull()
			.default('login'),
		loginId: uuid('login_id').references(() => userSessions.id, { onDelete: 'set null' }),
		domainId: uuid('domain_id')
			.notNull()
			.references(() => domains.id, { onDelete: 'cascade' }),
		// The column is still named `subject`: only the TypeScript name changed, so no migration was needed.
		personKey: text('subject').notNull(),
		codeHash: text('code_hash').notNull(),
		sentTo: text('sent_to').notNull(),
		/** Who asked for the code: the per-IP sending limit counts on it. */
		ip: text('ip'),
		createdAt: createdAt(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		attempts: integer('attempts').notNull().default(0),
		consumedAt: timestamp('consumed_at', { withTimezone: true }),
		/** Set when a newer code replaced this one, or the login ended. */
		supersededAt: timestamp('superseded_at', { withTimezone: true })
	},
	(t) => [
		index('otp_challenges_login').on(t.loginId),
		index('otp_challenges_subject').on(t.domainId, t.personKey, t.createdAt),
		index('otp_challenges_ip').on(t.ip, t.createdAt)
	]
);

/** Portal launches: who launched what, when, from where. Names are copied so history survives deletes. */
export const launches = pgTable(
	'launches',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
		domainId: uuid('domain_id').references(() => domains.id, { onDelete: 'set null' }),
		domainName: text('domain_name').notNull(),
		username: text('username').notNull(),
		applicationId: uuid('application_id').references(() => applications.id, {
			onDelete: 'set null'
		}),
		applicationName: text('application_name').notNull(),
		url: text('url').notNull(),
		ip: text('ip'),
		userAgent: text('user_agent'),
		/**
		 * Its notifications are still to be queued. The launch row is their outbox entry: written in the launch's
		 * transaction, turned into mail by notify/launch-relay.ts in its own, so a launch never waits for them.
		 */
		notifyPending: boolean('notify_pending').notNull().default(false)
	},
	(t) => [
		index('launches_at').on(t.at),
		index('launches_notify_pending')
			.on(t.at)
			.where(sql`${t.notifyPending}`)
	]
);

export type ApplicationRow = typeof applications.$inferSelect;
export type OtpGeneratorRow = typeof otpGenerators.$inferSelect;
export type DomainRow = typeof domains.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type TotpEnrollmentRow = typeof totpEnrollments.$inferSelect;
export type UserSessionRow = typeof userSessions.$inferSelect;
export type OtpChallengeRow = typeof otpChallenges.$inferSelect;
export type LaunchRow = typeof launches.$inferSelect;
export type TotpAlgorithm = OtpGeneratorRow['algorithm'];
