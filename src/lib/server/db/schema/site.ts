import { boolean, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { admins } from './accounts.js';

/**
 * The Site Config, one row (id = 1). The site's SMTP server is an ordinary `smtp_servers` row (same model,
 * form and test as /admin/smtp-servers), referenced here. The UI Admin and UI Primary Customer Support e-mails
 * live on their `admins` rows; the Admiral Alert Email and the default recipients live here.
 */
export const siteSettings = pgTable('site_settings', {
	id: integer('id').primaryKey().default(1),
	smtpEnabled: boolean('smtp_enabled').notNull().default(false),
	/** smtp_servers.id; checked in code (the site settings module), since it is optional and the mail schema is separate. */
	smtpServerId: uuid('smtp_server_id'),
	uiAdminId: uuid('ui_admin_id').references(() => admins.id, { onDelete: 'set null' }),
	uiSupportId: uuid('ui_support_id').references(() => admins.id, { onDelete: 'set null' }),
	alertEmail: text('alert_email'),
	defaultRecipients: jsonb('default_recipients').$type<string[]>().notNull().default([]),
	/** IANA time zone in which mail states times (a launch notification's "time"). */
	timeZone: text('time_zone').notNull().default('UTC'),
	/**
	 * The console's address as the admin last saw it when saving these settings (their browser's origin, checked
	 * by SvelteKit's CSRF guard). E-mailed links use POSTERN_PUBLIC_URL if set, else this, never a request's Host
	 * header (which an attacker asking for a reset link could forge).
	 */
	siteUrl: text('site_url'),
	/** Set when SMTP was switched on without a passing test; cleared by the next passing test. */
	untestedSince: timestamp('untested_since', { withTimezone: true }),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

/** "Forgot password?" links sent by e-mail: single use, 30 minutes, only the SHA-256 of the token stored. */
export const passwordResetTokens = pgTable('password_reset_tokens', {
	tokenHash: text('token_hash').primaryKey(),
	adminId: uuid('admin_id')
		.notNull()
		.references(() => admins.id, { onDelete: 'cascade' }),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
	usedAt: timestamp('used_at', { withTimezone: true })
});

export type SiteSettings = typeof siteSettings.$inferSelect;
