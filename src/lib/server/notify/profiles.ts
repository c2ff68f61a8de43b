/**
 * Notification profiles: list, read, create, update, enable or disable, delete; every change audited. A
 * profile names an SMTP server (whose sender address is its Issuer), its recipients, and the applications whose
 * launches it reports (or all of them). The launch side is launch-mail.ts.
 */
import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { db, tables, type Db } from '../db/index.js';
import type { NotificationProfileRow } from '../db/schema/index.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { isUniqueViolation } from '../db/errors.js';
import { isUuid } from '../ids.js';
import { registerServerUsage } from '../mail/usages.js';
import {
	notificationProfileDefaults,
	withPendingRecipient,
	type NotificationProfileForm
} from '../../schemas/notification-profiles.js';
import type { MailStatus } from '../outbox/message.js';

const profiles = tables.notificationProfiles;
const links = tables.notificationProfileApplications;

export interface NotificationProfileView {
	id: string;
	name: string;
	enabled: boolean;
	smtpServerId: string | null;
	/** Null when the server is gone (the profile says so instead of sending). */
	server: { id: string; name: string; fromAddress: string } | null;
	/** "Fallback SMTP server" (null: none). */
	fallbackSmtpServerId: string | null;
	recipients: string[];
	allApplications: boolean;
	/** `exists` false: the application was deleted since; the profile keeps its name to say which. */
	applications: { id: string; name: string; exists: boolean }[];
	groupingMinutes: number;
	subjectTemplate: string;
	bodyTemplate: string;
	lastSentAt: Date | null;
	updatedAt: Date;
}

export type SaveProfileResult =
	| { ok: true; profile: NotificationProfileView }
	| {
			ok: false;
			field: 'name' | 'smtpServerId' | 'fallbackSmtpServerId' | 'applicationIds' | null;
			code: string;
			message: string;
	  };

export async function listNotificationProfiles(): Promise<NotificationProfileView[]> {
	const rows = await db()
		.select()
		.from(profiles)
		.orderBy(asc(sql`lower(${profiles.name})`));
	return viewsOf(rows);
}

export async function getNotificationProfile(id: string): Promise<NotificationProfileView | null> {
	if (!isUuid(id)) return null;
	const rows = await db().select().from(profiles).where(eq(profiles.id, id));
	return rows.length ? (await viewsOf(rows))[0] : null;
}

/** The form as the editor opens it for an existing profile. */
export function notificationProfileFormValues(
	profile: NotificationProfileView
): NotificationProfileForm {
	return {
		...notificationProfileDefaults,
		name: profile.name,
		smtpServerId: profile.smtpServerId ?? '',
		fallbackSmtpServerId: profile.fallbackSmtpServerId ?? '',
		recipients: profile.recipients,
		allApplications: profile.allApplications,
		// a deleted application is not offered again: saving drops it
		applicationIds: profile.applications.filter((a) => a.exists).map((a) => a.id),
		groupingMinutes: profile.groupingMinutes,
		subjectTemplate: profile.subjectTemplate,
		bodyTemplate: profile.bodyTemplate,
		enabled: profile.enabled
	};
}

export async function createNotificationProfile(
	form: NotificationProfileForm,
	audit: AuditContext
): Promise<SaveProfileResult> {
	return saveProfile(null, form, audit);
}

export async function updateNotificationProfile(
	id: string,
	form: NotificationProfileForm,
	audit: AuditContext
): Promise<SaveProfileResult> {
	if (!isUuid(id)) return notFound();
	return saveProfile(id, form, audit);
}

async function saveProfile(
	id: string | null,
	form: NotificationProfileForm,
	audit: AuditContext
): Promise<SaveProfileResult> {
	const [server] = await db()
		.select({ id: tables.smtpServers.id })
		.from(tables.smtpServers)
		.where(eq(tables.smtpServers.id, form.smtpServerId));
	if (!server)
		return {
			ok: false,
			field: 'smtpServerId',
			code: 'server_missing',
			message: 'This SMTP server no longer exists. Choose another one.'
		};
	const [fallback] = form.fallbackSmtpServerId
		? await db()
				.select({ id: tables.smtpServers.id })
				.from(tables.smtpServers)
				.where(eq(tables.smtpServers.id, form.fallbackSmtpServerId))
		: [null];
	if (form.fallbackSmtpServerId && !fallback)
		return {
			ok: false,
			field: 'fallbackSmtpServerId',
			code: 'server_missing',
			message: 'This SMTP server no longer exists. Choose another one, or none.'
		};
	const chosen = form.allApplications ? [] : [...new Set(form.applicationIds)];
	const apps = chosen.length
		? await db()
				.select({ id: tables.applications.id, name: tables.applications.name })
				.from(tables.applications)
				.where(inArray(tables.applications.id, chosen))
		: [];
	if (apps.length !== chosen.length)
		return {
			ok: false,
			field: 'applicationIds',
			code: 'application_missing',
			message: 'An application you chose was deleted meanwhile. Check the list and validate again.'
		};
	const values = {
		name: form.name,
		smtpServerId: form.smtpServerId,
		fallbackSmtpServerId: form.fallbackSmtpServerId || null,
		recipients: withPendingRecipient(form.recipients, form.newRecipient),
		allApplications: form.allApplications,
		enabled: form.enabled,
		groupingMinutes: form.groupingMinutes,
		subjectTemplate: form.subjectTemplate,
		bodyTemplate: form.bodyTemplate,
		updatedAt: new Date()
	};
	try {
		const saved = await db().transaction(async (tx) => {
			const before = id ? await rowOf(tx as unknown as Db, id) : null;
			if (id && !before) return null;
			const [row] = id
				? await tx.update(profiles).set(values).where(eq(profiles.id, id)).returning()
				: await tx.insert(profiles).values(values).returning();
			await tx.delete(links).where(eq(links.profileId, row.id));
			if (apps.length)
				await tx
					.insert(links)
					.values(
						apps.map((a) => ({ profileId: row.id, applicationId: a.id, applicationName: a.name }))
					);
			return { row, before };
		});
		if (!saved) return notFound();
		await recordAudit({
			actor: audit.actor,
			action: id ? 'notification_profile.updated' : 'notification_profile.created',
			ip: audit.ip,
			detail: {
				id: saved.row.id,
				name: saved.row.name,
				smtpServerId: saved.row.smtpServerId,
				recipients: saved.row.recipients.length,
				applications: saved.row.allApplications ? 'all' : apps.map((a) => a.name),
				...(saved.before ? { changed: changedFields(saved.before, saved.row) } : {})
			}
		});
		return { ok: true, profile: (await viewsOf([saved.row]))[0] };
	} catch (error) {
		if (isUniqueViolation(error))
			return {
				ok: false,
				field: 'name',
				code: 'name_taken',
				message: 'Another notification profile has this name.'
			};
		throw error;
	}
}

export async function setNotificationProfileEnabled(
	id: string,
	enabled: boolean,
	audit: AuditContext
): Promise<{ ok: true; name: string } | { ok: false; message: string }> {
	if (!isUuid(id)) return notFound();
	const [row] = await db()
		.update(profiles)
		.set({ enabled, updatedAt: new Date() })
		.where(eq(profiles.id, id))
		.returning({ name: profiles.name });
	if (!row) return notFound();
	await recordAudit({
		actor: audit.actor,
		action: enabled ? 'notification_profile.enabled' : 'notification_profile.disabled',
		ip: audit.ip,
		detail: { id, name: row.name }
	});
	return { ok: true, name: row.name };
}

export async function deleteNotificationProfile(
	id: string,
	audit: AuditContext
): Promise<{ ok: true } | { ok: false; code: 'not_found'; message: string }> {
	if (!isUuid(id)) return notFound();
	const [row] = await db()
		.delete(profiles)
		.where(eq(profiles.id, id))
		.returning({ name: profiles.name });
	if (!row) return notFound();
	await recordAudit({
		actor: audit.actor,
		action: 'notification_profile.deleted',
		ip: audit.ip,
		detail: { id, name: row.name }
	});
	return { ok: true };
}

/** A profile's latest notifications, from the mail log (metadata only). */
export async function recentNotificationsOf(
	profileId: string,
	limit = 20
): Promise<
	{
		id: string;
		createdAt: Date;
		recipients: string[];
		subject: string;
		status: MailStatus;
		attempts: number;
		lastReply: string | null;
		diagnosisTitle: string | null;
	}[]
> {
	if (!isUuid(profileId)) return [];
	const outbox = tables.mailOutbox;
	const rows = await db()
		.select({
			id: outbox.id,
			createdAt: outbox.createdAt,
			recipients: outbox.recipients,
			subject: outbox.subject,
			status: outbox.status,
			attempts: outbox.attempts,
			lastReply: outbox.lastReply,
			diagnosis: outbox.diagnosis
		})
		.from(outbox)
		.where(sql`(${outbox.origin} ->> 'profileId') = ${profileId}`)
		.orderBy(desc(outbox.createdAt))
		.limit(limit);
	return rows.map(({ diagnosis, ...row }) => ({
		...row,
		diagnosisTitle: diagnosis?.title ?? null
	}));
}

/**
 * The profiles that use these servers, as their server or their fallback (the servers page lists them; a
 * delete is refused for them).
 */
export async function notificationUsagesOfServers(serverIds: string[]) {
	const fallbackServer = alias(tables.smtpServers, 'fallback_server');
	const rows = await db()
		.select({
			serverId: profiles.smtpServerId,
			fallbackId: profiles.fallbackSmtpServerId,
			fallbackName: fallbackServer.name,
			name: profiles.name
		})
		.from(profiles)
		.leftJoin(fallbackServer, eq(fallbackServer.id, profiles.fallbackSmtpServerId))
		.where(
			or(
				inArray(profiles.smtpServerId, serverIds),
				inArray(profiles.fallbackSmtpServerId, serverIds)
			)
		);
	return rows.flatMap((r) => [
		...(r.serverId && serverIds.includes(r.serverId)
			? [
					{
						serverId: r.serverId,
						kind: 'Notification profile',
						name: r.name,
						...(r.fallbackName ? { fallback: r.fallbackName } : {})
					}
				]
			: []),
		...(r.fallbackId && serverIds.includes(r.fallbackId)
			? [{ serverId: r.fallbackId, kind: 'Notification profile, as fallback', name: r.name }]
			: [])
	]);
}

registerServerUsage('notificationProfiles', notificationUsagesOfServers);

async function rowOf(tx: Db, id: string): Promise<NotificationProfileRow | null> {
	const [row] = await tx.select().from(profiles).where(eq(profiles.id, id)).for('update');
	return row ?? null;
}

async function viewsOf(rows: NotificationProfileRow[]): Promise<NotificationProfileView[]> {
	if (rows.length === 0) return [];
	const ids = rows.map((r) => r.id);
	const serverIds = [...new Set(rows.flatMap((r) => (r.smtpServerId ? [r.smtpServerId] : [])))];
	const outbox = tables.mailOutbox;
	const [appRows, servers, lastSent] = await Promise.all([
		db()
			.select({
				profileId: links.profileId,
				id: links.applicationId,
				name: sql<string>`coalesce(${tables.applications.name}, ${links.applicationName})`,
				exists: sql<boolean>`${tables.applications.id} is not null`
			})
			.from(links)
			.leftJoin(tables.applications, eq(tables.applications.id, links.applicationId))
			.where(inArray(links.profileId, ids))
			.orderBy(sql`lower(coalesce(${tables.applications.name}, ${links.applicationName}))`),
		serverIds.length
			? db()
					.select({
						id: tables.smtpServers.id,
						name: tables.smtpServers.name,
						fromAddress: tables.smtpServers.fromAddress
					})
					.from(tables.smtpServers)
					.where(inArray(tables.smtpServers.id, serverIds))
			: [],
		db()
			.select({
				profileId: sql<string>`${outbox.origin} ->> 'profileId'`,
				at: sql<string>`max(${outbox.sentAt})`
			})
			.from(outbox)
			.where(
				and(
					sql`(${outbox.origin} ->> 'profileId') in (${sql.join(
						ids.map((id) => sql`${id}`),
						sql`, `
					)})`,
					eq(outbox.status, 'sent')
				)
			)
			.groupBy(sql`${outbox.origin} ->> 'profileId'`)
	]);
	const serverById = new Map(servers.map((s) => [s.id, s]));
	const lastSentById = new Map(lastSent.map((l) => [l.profileId, l.at ? new Date(l.at) : null]));
	return rows.map((row) => ({
		id: row.id,
		name: row.name,
		enabled: row.enabled,
		smtpServerId: row.smtpServerId,
		server: row.smtpServerId ? (serverById.get(row.smtpServerId) ?? null) : null,
		fallbackSmtpServerId: row.fallbackSmtpServerId,
		recipients: row.recipients,
		allApplications: row.allApplications,
		applications: appRows
			.filter((a) => a.profileId === row.id)
			.map((a) => ({ id: a.id, name: a.name, exists: Boolean(a.exists) })),
		groupingMinutes: row.groupingMinutes,
		subjectTemplate: row.subjectTemplate,
		bodyTemplate: row.bodyTemplate,
		lastSentAt: lastSentById.get(row.id) ?? null,
		updatedAt: row.updatedAt
	}));
}

function changedFields(before: NotificationProfileRow, after: NotificationProfileRow): string[] {
	const keys = [
		'name',
		'smtpServerId',
		'fallbackSmtpServerId',
		'recipients',
		'allApplications',
		'enabled',
		'groupingMinutes',
		'subjectTemplate',
		'bodyTemplate'
	] as const;
	return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

function notFound() {
	return {
		ok: false as const,
		field: null,
		code: 'not_found' as const,
		message: 'This notification profile no longer exists.'
	};
}
