/**
 * A server's delivery limits: what the admin set, or the host's defaults. Exchange Online's own limits for one
 * mailbox are 3 concurrent connections and 30 messages a minute, and 10,000 recipients a day: staying under
 * them avoids its 432 4.3.2 and 5.2.251-255 throttling. Other servers get the same 3 connections (a modest default that suits most relays) and no rate.
 */
import { eq } from 'drizzle-orm';
import { MICROSOFT_SMTP_HOSTS } from '../../schemas/smtp-server.js';
import { MICROSOFT_GRAPH_CLOUDS } from '../../microsoft-endpoints.js';
import { db, tables, type Db } from '../db/index.js';

export interface ServerLimits {
	maxConnections: number;
	messagesPerMinute: number | null;
	recipientsPerDay: number | null;
}

export const MICROSOFT_LIMITS: ServerLimits = {
	maxConnections: 3,
	messagesPerMinute: 30,
	recipientsPerDay: 10_000
};
export const DEFAULT_LIMITS: ServerLimits = {
	maxConnections: 3,
	messagesPerMinute: null,
	recipientsPerDay: null
};

// Graph sends from the same Exchange Online mailbox, under the same per-mailbox limits
const microsoftHosts = new Set<string>([
	...Object.values(MICROSOFT_SMTP_HOSTS),
	...Object.values(MICROSOFT_GRAPH_CLOUDS).map((cloud) => cloud.host)
]);

export function isMicrosoftHost(host: string): boolean {
	return microsoftHosts.has(host.trim().toLowerCase().replace(/\.$/, ''));
}

export function limitsOf(server: {
	host: string;
	maxConnections: number | null;
	messagesPerMinute: number | null;
	recipientsPerDay: number | null;
}): ServerLimits {
	const defaults = isMicrosoftHost(server.host) ? MICROSOFT_LIMITS : DEFAULT_LIMITS;
	return {
		maxConnections: server.maxConnections ?? defaults.maxConnections,
		messagesPerMinute: server.messagesPerMinute ?? defaults.messagesPerMinute,
		recipientsPerDay: server.recipientsPerDay ?? defaults.recipientsPerDay
	};
}

const servers = tables.smtpServers;

/** A saved server's limits (null: no such server). `executor`: a caller's transaction. */
export async function readServerLimits(
	serverId: string,
	executor: Db = db()
): Promise<ServerLimits | null> {
	const [row] = await executor
		.select({
			host: servers.host,
			maxConnections: servers.maxConnections,
			messagesPerMinute: servers.messagesPerMinute,
			recipientsPerDay: servers.recipientsPerDay
		})
		.from(servers)
		.where(eq(servers.id, serverId));
	return row ? limitsOf(row) : null;
}

/**
 * A saved server's version (its updatedAt, which keys the pooled transport) and its limits, in one read: what
 * each send needs (null: no such server).
 */
export async function readServerVersionAndLimits(
	serverId: string
): Promise<{ version: Date; limits: ServerLimits } | null> {
	const [row] = await db()
		.select({
			updatedAt: servers.updatedAt,
			host: servers.host,
			maxConnections: servers.maxConnections,
			messagesPerMinute: servers.messagesPerMinute,
			recipientsPerDay: servers.recipientsPerDay
		})
		.from(servers)
		.where(eq(servers.id, serverId));
	return row ? { version: row.updatedAt, limits: limitsOf(row) } : null;
}
