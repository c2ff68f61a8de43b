/**
 * Failed sign-in throttling (SECURITY.md: NIST 5.2.2, ASVS 2.2.1), counted per account and per IP address
 * and kept in the database so several instances share it.
 *
 * Per key: from the 5th consecutive failure each further try waits 2^(n-5) seconds (1, 2, 4, 8, 16 s);
 * from the 10th the key is locked for 15 minutes, doubling with every further failure (capped at 24 hours).
 * An IP address gets five times the allowance, since many people may share one. Counters reset after a
 * success (account) or after 24 hours without a failure.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';

export const DELAY_FROM = 5;
export const LOCK_FROM = 10;
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;
const MAX_LOCK_MS = 24 * 60 * 60 * 1000;

export type ThrottleKey = { key: string; scale: number };

export function throttleKeys(
	scope: string,
	account: string,
	ip: string | undefined
): ThrottleKey[] {
	const keys = [{ key: `${scope}:account:${account.toLowerCase()}`, scale: 1 }];
	if (ip) keys.push({ key: `${scope}:ip:${ip}`, scale: 5 });
	return keys;
}

/** How long a key with `failures` consecutive failures must wait after the last one, in ms. */
export function blockDuration(failures: number, scale = 1): number {
	const delayFrom = DELAY_FROM * scale;
	const lockFrom = LOCK_FROM * scale;
	if (failures < delayFrom) return 0;
	// The delay stops growing at 16 s: an IP's wider window (25 to 49) must not reach days before its lockout.
	if (failures < lockFrom)
		return 2 ** Math.min(failures - delayFrom, LOCK_FROM - DELAY_FROM - 1) * 1000;
	return Math.min(15 * 60 * 1000 * 2 ** (failures - lockFrom), MAX_LOCK_MS);
}

/** Returns when the caller may try again, or null when it may try now. */
export async function checkThrottle(keys: ThrottleKey[], now = new Date()): Promise<Date | null> {
	const rows = await db()
		.select()
		.from(tables.loginThrottle)
		.where(
			inArray(
				tables.loginThrottle.key,
				keys.map((k) => k.key)
			)
		);
	let until: Date | null = null;
	for (const row of rows) {
		if (row.blockedUntil && row.blockedUntil > now && (!until || row.blockedUntil > until))
			until = row.blockedUntil;
	}
	return until;
}

/** Counts a failure on every key; returns when the next try is allowed (null: at once). */
export async function recordFailure(keys: ThrottleKey[], now = new Date()): Promise<Date | null> {
	let until: Date | null = null;
	for (const { key, scale } of keys) {
		const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS);
		const [row] = await db()
			.insert(tables.loginThrottle)
			.values({ key, failures: 1, lastFailureAt: now })
			.onConflictDoUpdate({
				target: tables.loginThrottle.key,
				set: {
					failures: sql`case when ${tables.loginThrottle.lastFailureAt} < ${forgetBefore} then 1 else ${tables.loginThrottle.failures} + 1 end`,
					lastFailureAt: now
				}
			})
			.returning({ failures: tables.loginThrottle.failures });
		const wait = blockDuration(row.failures, scale);
		const blockedUntil = wait ? new Date(now.getTime() + wait) : null;
		await db()
			.update(tables.loginThrottle)
			.set({ blockedUntil })
			.where(eq(tables.loginThrottle.key, key));
		if (blockedUntil && (!until || blockedUntil > until)) until = blockedUntil;
	}
	return until;
}

/** A success clears the account's counter; the IP's counter is left to expire. */
export async function recordSuccess(keys: ThrottleKey[]) {
	const accountKeys = keys.filter((k) => k.scale === 1).map((k) => k.key);
	if (accountKeys.length)
		await db().delete(tables.loginThrottle).where(inArray(tables.loginThrottle.key, accountKeys));
}

/** "Try again in 2 minutes" */
export function describeWait(until: Date, now = new Date()): string {
	const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
	if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
	const minutes = Math.ceil(seconds / 60);
	if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
	const hours = Math.ceil(minutes / 60);
	return `${hours} hour${hours === 1 ? '' : 's'}`;
}
