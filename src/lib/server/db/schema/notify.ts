import { sql } from 'drizzle-orm';
import {
	boolean,
	index,
	integer,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import { smtpServers } from './mail.js';
import { launches } from './identity.js';

/**
 * Notification profiles: when a user launches one of a profile's applications from the portal, each of its
 * recipients gets an e-mail through its SMTP server, from that server's sender address (the Issuer, which the
 * profile cannot change). A server in use by a profile cannot be deleted (foreign key, and mail/usages.ts).
 */
export const notificationProfiles = pgTable(
	'notification_profiles',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		name: text('name').notNull(),
		smtpServerId: uuid('smtp_server_id').references(() => smtpServers.id, {
			onDelete: 'restrict'
		}),
		/** "Fallback SMTP server": where its mail goes when the server cannot be reached or refuses to sign in. */
		fallbackSmtpServerId: uuid('fallback_smtp_server_id').references(() => smtpServers.id, {
			onDelete: 'restrict'
		}),
		/** Lower-cased, de-duplicated, in the order they were added; at least one. */
		recipients: text('recipients').array().notNull(),
		/** Every application, present and future; `applications` rows are then ignored. */
		allApplications: boolean('all_applications').notNull().default(false),
		enabled: boolean('enabled').notNull().default(true),
		/** 0: one mail per launch. Otherwise launches inside the window go out as one digest per recipient. */
		groupingMinutes: integer('grouping_minutes').notNull().default(0),
		subjectTemplate: text('subject_template').notNull(),
		bodyTemplate: text('body_template').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('notification_profiles_name_lower').on(sql`lower(${t.name})`)]
);

/**
 * The applications that trigger a profile. No foreign key to `applications`: a deleted application stays
 * listed by its copied name, so the profile shows plainly that it lost one instead of shrinking silently.
 */
export const notificationProfileApplications = pgTable(
	'notification_profile_applications',
	{
		profileId: uuid('profile_id')
			.notNull()
			.references(() => notificationProfiles.id, { onDelete: 'cascade' }),
		applicationId: uuid('application_id').notNull(),
		applicationName: text('application_name').notNull()
	},
	(t) => [
		primaryKey({ columns: [t.profileId, t.applicationId] }),
		index('notification_profile_applications_app').on(t.applicationId)
	]
);

/**
 * A profile's open grouping window: launches until `dueAt` go out together. One row per profile at most; the
 * digest job deletes it when it sends, so the next launch opens a new window.
 */
export const notificationWindows = pgTable('notification_windows', {
	profileId: uuid('profile_id')
		.primaryKey()
		.references(() => notificationProfiles.id, { onDelete: 'cascade' }),
	dueAt: timestamp('due_at', { withTimezone: true }).notNull()
});

/** Launches waiting in a profile's grouping window. */
export const notificationPendingLaunches = pgTable(
	'notification_pending_launches',
	{
		profileId: uuid('profile_id')
			.notNull()
			.references(() => notificationProfiles.id, { onDelete: 'cascade' }),
		launchId: uuid('launch_id')
			.notNull()
			.references(() => launches.id, { onDelete: 'cascade' })
	},
	(t) => [primaryKey({ columns: [t.profileId, t.launchId] })]
);

export type NotificationProfileRow = typeof notificationProfiles.$inferSelect;
