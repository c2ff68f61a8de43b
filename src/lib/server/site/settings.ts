/** The Site Config: one row, read and changed here; every change audited (never a secret value). */
import { eq, inArray, sql } from 'drizzle-orm';
import { db, tables, type Db } from '../db/index.js';
import type { SiteSettings } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import { registerServerUsage } from '../mail/usages.js';

export async function getSiteSettings(): Promise<SiteSettings> {
	await db().insert(tables.siteSettings).values({ id: 1 }).onConflictDoNothing();
	const [row] = await db().select().from(tables.siteSettings).where(eq(tables.siteSettings.id, 1));
	return row;
}

/** The designated UI Admin and UI Primary Customer Support accounts (the first of each role until chosen). */
export async function getSiteAccounts(settings?: SiteSettings) {
	const site = settings ?? (await getSiteSettings());
	const all = await db()
		.select({
			id: tables.admins.id,
			username: tables.admins.username,
			role: tables.admins.role,
			email: tables.admins.email,
			createdAt: tables.admins.createdAt
		})
		.from(tables.admins)
		.orderBy(tables.admins.createdAt);
	const admin = all.find((a) => a.id === site.uiAdminId) ?? all.find((a) => a.role === 'admin');
	const support =
		all.find((a) => a.id === site.uiSupportId) ?? all.find((a) => a.role === 'support');
	return { admin, support };
}

type Patch = Partial<Omit<SiteSettings, 'id' | 'updatedAt'>>;

export async function updateSiteSettings(
	patch: Patch,
	audit: { actor: string; ip?: string; what: string; detail?: Record<string, unknown> }
) {
	await getSiteSettings();
	await db()
		.update(tables.siteSettings)
		.set({ ...patch, updatedAt: sql`now()` })
		.where(eq(tables.siteSettings.id, 1));
	await recordAudit({
		actor: audit.actor,
		action: 'site.updated',
		ip: audit.ip,
		detail: { section: audit.what, ...audit.detail }
	});
}

/** Lists which keys changed between two plain records, for audit entries. */
export function changedFields<T extends Record<string, unknown>>(
	before: T,
	after: Partial<T>
): string[] {
	return Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/**
 * SMTP is on, but the site's saved server has not passed a configuration test of exactly its saved settings
 * (a server's last test always describes its saved settings: mail/last-test.ts). True after "save without
 * testing", and also after the method was changed while on (here or under /admin/smtp-servers), until a test
 * passes: every console page then warns.
 */
export async function isSiteSmtpUntested(settings?: SiteSettings): Promise<boolean> {
	const site = settings ?? (await getSiteSettings());
	if (!site.smtpEnabled) return false;
	if (!site.smtpServerId) return true;
	const [server] = await db()
		.select({ lastTestOk: tables.smtpServers.lastTestOk })
		.from(tables.smtpServers)
		.where(eq(tables.smtpServers.id, site.smtpServerId));
	return server?.lastTestOk !== true;
}

/** The site's own mail (reset links, alerts) as a user of its SMTP server: such a server cannot be deleted. */
export async function siteUsagesOfServers(serverIds: string[]) {
	const rows = await db()
		.select({
			serverId: tables.siteSettings.smtpServerId,
			enabled: tables.siteSettings.smtpEnabled
		})
		.from(tables.siteSettings)
		.where(inArray(tables.siteSettings.smtpServerId, serverIds));
	return rows.map((row) => ({
		serverId: row.serverId!,
		kind: 'Site settings',
		name: row.enabled ? 'Site e-mails (SMTP on)' : 'Site e-mails (SMTP switched off)'
	}));
}
registerServerUsage('siteSettings', siteUsagesOfServers);

/** The IANA time zone in which mail states times; read inside a caller's transaction when given one. */
export async function siteTimeZone(executor: Db = db()): Promise<string> {
	const [row] = await executor
		.select({ timeZone: tables.siteSettings.timeZone })
		.from(tables.siteSettings)
		.where(eq(tables.siteSettings.id, 1));
	return row?.timeZone ?? 'UTC';
}
