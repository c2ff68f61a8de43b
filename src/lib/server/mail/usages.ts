/**
 * What uses an SMTP server. Deleting a server is refused while anything does (the admin is told what), and the
 * list page shows it. Each kind of user contributes one small query; no foreign key has to span the schema files.
 *
 * To add a kind (notification profiles, OTP generators ...): add an entry to USAGE_QUERIES below, which is
 * always loaded with this module, or call registerServerUsage() from a module that is certain to be loaded
 * before deletes happen.
 */
import { eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { ServerUsage } from './types.js';
import { otpGeneratorUsagesOfServer } from '../identity/otp-generators.js';

type UsageQuery = (serverId: string) => Promise<ServerUsage[]>;

const USAGE_QUERIES: Record<string, UsageQuery> = {
	/** Seed 003's Site Config: the server the site's own e-mails go through. */
	async siteSettings(serverId) {
		const rows = await db()
			.select({ enabled: tables.siteSettings.smtpEnabled })
			.from(tables.siteSettings)
			.where(eq(tables.siteSettings.smtpServerId, serverId));
		return rows.map((row) => ({
			kind: 'Site settings',
			name: row.enabled ? 'Site e-mails (SMTP on)' : 'Site e-mails (SMTP switched off)'
		}));
	}
};

// OTP generators that mail through the server: listed in this always-loaded table, so a delete is refused
// with this message even before any page has loaded the identity module.
USAGE_QUERIES.otpGenerators = otpGeneratorUsagesOfServer;

const registered = new Map<string, UsageQuery>(Object.entries(USAGE_QUERIES));

/** Adds (or replaces) the usage query named `key`. */
export function registerServerUsage(key: string, query: UsageQuery) {
	registered.set(key, query);
}

/** Removes a registered query (tests). */
export function unregisterServerUsage(key: string) {
	if (!(key in USAGE_QUERIES)) registered.delete(key);
}

/** Everything that uses the server, as `{ kind, name }` (e.g. { kind: 'Notification profile', name: 'Ops' }). */
export async function findServerUsages(serverId: string): Promise<ServerUsage[]> {
	if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(serverId)) return [];
	const found = await Promise.all([...registered.values()].map((query) => query(serverId)));
	return found.flat();
}
