/**
 * Health checks: each SMTP server, once per interval, gets the configuration test in verify mode (DNS,
 * connect, TLS, token, authenticate; no mail). Every server is checked, so alerts know which servers they may
 * fall back to; only a server something uses raises "SMTP server failing".
 */
import { eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { runConfigurationTest } from '../mail/config-test.js';
import { getServerSettings } from '../mail/servers.js';
import { findServerUsages } from '../mail/usages.js';
import { log } from '../log.js';
import { fireAlert, resolveAllBut } from './episodes.js';
import { getAlertTimings } from './rules.js';

const PHASE_WORDS: Record<string, string> = {
	dns: 'DNS (the host name)',
	connect: 'Connection',
	tls: 'TLS',
	token: 'Microsoft token',
	auth: 'Authentication',
	send: 'Sending'
};

/**
 * Checks every server whose last check is older than the interval (every server with `all`, the alerts
 * page's "Check servers now"); returns how many it checked.
 */
export async function checkDueServers(now = new Date(), { all = false } = {}): Promise<number> {
	const { healthIntervalMinutes } = await getAlertTimings();
	const servers = await db()
		.select({ id: tables.smtpServers.id, checkedAt: tables.smtpHealth.checkedAt })
		.from(tables.smtpServers)
		.leftJoin(tables.smtpHealth, eq(tables.smtpHealth.serverId, tables.smtpServers.id));
	const due = servers.filter(
		(server) =>
			all ||
			!server.checkedAt ||
			now.getTime() - server.checkedAt.getTime() >= healthIntervalMinutes * 60_000 - 5_000
	);
	for (const server of due) await checkServerHealth(server.id, now);
	await raiseFailingServers(now);
	return due.length;
}

/** One server's check, recorded; returns whether it passed (null: the server is gone). */
export async function checkServerHealth(
	serverId: string,
	now = new Date()
): Promise<boolean | null> {
	const settings = await getServerSettings(serverId);
	if (!settings) return null;
	let ok = false;
	let summary: string;
	let fix: string | null = null;
	try {
		const result = await runConfigurationTest(settings, { mode: 'verify' });
		ok = result.ok;
		const phase = PHASE_WORDS[result.diagnosis?.phase ?? ''] ?? 'The check';
		summary = result.ok
			? result.verdict
			: `${phase} failed: ${result.diagnosis?.title ?? result.verdict}`;
		fix = result.ok ? null : (result.diagnosis?.fix ?? null);
	} catch (error) {
		log.warn({ event: 'health_check_error', serverId, err: error }, 'a health check broke');
		summary = 'The check could not run';
	}
	const values = { serverId, checkedAt: now, ok, summary, fix };
	await db()
		.insert(tables.smtpHealth)
		.values(values)
		.onConflictDoUpdate({ target: tables.smtpHealth.serverId, set: values });
	return ok;
}

/** Fires "SMTP server failing" for each server in use whose last check failed; resolves the rest. */
async function raiseFailingServers(now: Date) {
	const rows = await db()
		.select({
			id: tables.smtpServers.id,
			name: tables.smtpServers.name,
			host: tables.smtpServers.host,
			port: tables.smtpServers.port,
			summary: tables.smtpHealth.summary,
			fix: tables.smtpHealth.fix
		})
		.from(tables.smtpHealth)
		.innerJoin(tables.smtpServers, eq(tables.smtpServers.id, tables.smtpHealth.serverId))
		.where(eq(tables.smtpHealth.ok, false));
	const failing: string[] = [];
	for (const server of rows) {
		const usages = await findServerUsages(server.id);
		if (usages.length === 0) continue;
		const fallbacks = usages.filter((usage) => usage.fallback);
		failing.push(server.id);
		await fireAlert(
			{
				type: 'smtp-failing',
				key: server.id,
				about: server.name,
				facts: {
					Server: `${server.name} (${server.host}:${server.port})`,
					'Used by': usages.map((usage) => `${usage.kind} “${usage.name}”`).join(', '),
					// what keeps working meanwhile: mail of these uses moves to their fallback server
					...(fallbacks.length
						? {
								'Fallback in use': fallbacks
									.map((usage) => `${usage.kind} “${usage.name}” → ${usage.fallback}`)
									.join(', ')
							}
						: {}),
					'Health check': server.summary,
					...(server.fix ? { 'What to do': server.fix } : {})
				}
			},
			now
		);
	}
	await resolveAllBut('smtp-failing', failing, now);
}
