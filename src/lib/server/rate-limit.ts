/**
 * A sliding-window limit for admin-triggered probes (configuration tests, LDAP connection tests): SECURITY.md
 * asks for them to be rate-limited, since they make the server open connections on an admin's behalf.
 *
 * Kept in the database so the limit holds across instances, and checked and counted in one transaction that
 * holds an advisory lock on the key: parallel requests are taken one at a time, so `limit` uses get through
 * and no more.
 */
import { and, asc, count, eq, lt, sql } from 'drizzle-orm';
import { db, tables } from './db/index.js';

const uses = tables.probeUses;

/** Takes one use of `key`; returns the seconds to wait when `limit` uses already happened within `windowMs`. */
export async function takeRateLimit(
	key: string,
	limit: number,
	windowMs: number,
	now = Date.now()
): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
	const windowStart = new Date(now - windowMs);
	return db().transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`probe:${key}`}))`);
		await tx.delete(uses).where(and(eq(uses.key, key), lt(uses.usedAt, windowStart)));
		const [{ n }] = await tx.select({ n: count() }).from(uses).where(eq(uses.key, key));
		if (n >= limit) {
			const [oldest] = await tx
				.select({ usedAt: uses.usedAt })
				.from(uses)
				.where(eq(uses.key, key))
				.orderBy(asc(uses.usedAt))
				.limit(1);
			return {
				ok: false as const,
				retryAfterSeconds: Math.max(1, Math.ceil((oldest.usedAt.getTime() + windowMs - now) / 1000))
			};
		}
		await tx.insert(uses).values({ key, usedAt: new Date(now) });
		return { ok: true as const };
	});
}
