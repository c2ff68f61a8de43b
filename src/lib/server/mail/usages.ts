/**
 * What uses an SMTP server. Deleting a server is refused while anything does (the admin is told what), and the
 * list page shows it. Each feature that sends through servers registers one small query here when its module
 * loads (site settings, OTP generators, later notification profiles); start-up loads them all, so a delete is
 * refused with the reason even before any page has loaded the feature. The mail layer never imports features.
 */
import type { ServerUsage } from './types.js';
import { isUuid } from '../ids.js';

/** A feature's usages of the servers asked about, each with the server it uses: one query for any number. */
type UsageQuery = (serverIds: string[]) => Promise<(ServerUsage & { serverId: string })[]>;

const registered = new Map<string, UsageQuery>();

/** Adds (or replaces) the usage query named `key`. */
export function registerServerUsage(key: string, query: UsageQuery) {
	registered.set(key, query);
}

/** Removes a registered query (tests). */
export function unregisterServerUsage(key: string) {
	registered.delete(key);
}

/** Everything that uses the server, as `{ kind, name }` (e.g. { kind: 'Notification profile', name: 'Ops' }). */
export async function findServerUsages(serverId: string): Promise<ServerUsage[]> {
	return (await findUsagesOfServers([serverId])).get(serverId) ?? [];
}

/** What uses each of these servers, by server id (a server nothing uses is absent): one query per feature. */
export async function findUsagesOfServers(
	serverIds: string[]
): Promise<Map<string, ServerUsage[]>> {
	const ids = serverIds.filter(isUuid);
	const byServer = new Map<string, ServerUsage[]>();
	if (ids.length === 0) return byServer;
	const found = await Promise.all([...registered.values()].map((query) => query(ids)));
	for (const { serverId, kind, name, fallback } of found.flat())
		byServer.set(serverId, [
			...(byServer.get(serverId) ?? []),
			{ kind, name, ...(fallback ? { fallback } : {}) }
		]);
	return byServer;
}
