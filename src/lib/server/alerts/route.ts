/**
 * Which server an alert goes through: the site's SMTP server while the SMTP configuration is on and the server
 * is not failing its health check; otherwise any other server whose last health check passed (the most
 * recently checked first). None: alerts cannot be delivered, and the console says so in a banner.
 */
import { and, desc, eq, ne } from 'drizzle-orm';
import { db, tables, type Db } from '../db/index.js';

export type AlertRoute =
	| { ok: true; serverId: string; serverName: string; fallback: boolean }
	| { ok: false; reason: string };

export async function alertRoute(executor: Db = db()): Promise<AlertRoute> {
	const [site] = await executor
		.select({
			enabled: tables.siteSettings.smtpEnabled,
			serverId: tables.siteSettings.smtpServerId,
			serverName: tables.smtpServers.name,
			healthy: tables.smtpHealth.ok
		})
		.from(tables.siteSettings)
		.leftJoin(tables.smtpServers, eq(tables.smtpServers.id, tables.siteSettings.smtpServerId))
		.leftJoin(tables.smtpHealth, eq(tables.smtpHealth.serverId, tables.siteSettings.smtpServerId));
	const siteServer = site?.enabled && site.serverId && site.serverName ? site : null;
	// never checked yet counts as usable: only a failed check moves alerts elsewhere
	if (siteServer && siteServer.healthy !== false)
		return {
			ok: true,
			serverId: siteServer.serverId!,
			serverName: siteServer.serverName!,
			fallback: false
		};
	const others = executor
		.select({ id: tables.smtpServers.id, name: tables.smtpServers.name })
		.from(tables.smtpHealth)
		.innerJoin(tables.smtpServers, eq(tables.smtpServers.id, tables.smtpHealth.serverId))
		.orderBy(desc(tables.smtpHealth.checkedAt))
		.limit(1);
	const [other] = await (site?.serverId
		? others.where(
				and(eq(tables.smtpHealth.ok, true), ne(tables.smtpHealth.serverId, site.serverId))
			)
		: others.where(eq(tables.smtpHealth.ok, true)));
	if (other) return { ok: true, serverId: other.id, serverName: other.name, fallback: true };
	return {
		ok: false,
		reason: siteServer
			? `the site's SMTP server (${siteServer.serverName}) is failing its health check and no other server passed its last one`
			: 'the SMTP configuration is switched off and no other server passed its last health check'
	};
}
