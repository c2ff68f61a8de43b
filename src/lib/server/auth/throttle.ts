/**
 * Failed sign-in throttling (SECURITY.md: NIST 5.2.2, ASVS 2.2.1), counted per account and per IP address
 * and kept in the database so several instances share it.
 *
 * Per key: from the 5th consecutive failure each further try waits 2^(n-5) seconds (1, 2, 4, 8, 16 s);
 * from the 10th the key is locked for 15 minutes, doubling with every further failure (capped at 24 hours).
 * An IP address gets five times the allowance, since many people may share one. Counters reset after a
 * success (account) or after 24 hours without a failure.
 *
 * Under parallel requests a check followed by a separate count lets every request that checked before the
 * first one counted through (100 parallel guesses, 100 evaluated). So an attempt is reserved first, in one
 * transaction holding the keys' rows locked: refused uncounted while a key is blocked, otherwise counted as
 * a failure up front (reserveAttempt). The caller then evaluates; a success clears the account and gives the
 * addresses their one back (settleSuccess); an attempt that turned out not to be evaluated at all (the
 * directory was down, there was no code to check) gives back every key (releaseAttempt).
 */
import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { db, tables, type Db } from '../db/index.js';
import { recordAudit } from '../audit.js';

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

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type Reservation =
	/** May evaluate now; `next` is when a further try is allowed should this one fail (null: at once). */
	| { ok: true; next: Date | null }
	/** Blocked until then; nothing was counted. */
	| { ok: false; until: Date };

/**
 * Check and count in one step: refuses (counting nothing) while any key is blocked, otherwise counts a
 * failure on every key before the caller evaluates the attempt.
 */
export async function reserveAttempt(keys: ThrottleKey[], now = new Date()): Promise<Reservation> {
	const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS);
	const locked: { key: string; until: Date }[] = [];
	const reservation = await db().transaction(async (tx): Promise<Reservation> => {
		locked.length = 0;
		const rows = await lockRows(tx, keys, now);
		let until: Date | null = null;
		for (const { row } of rows)
			if (row.blockedUntil && row.blockedUntil > now && (!until || row.blockedUntil > until))
				until = row.blockedUntil;
		if (until) {
			// rows created only to be locked hold no failure: leave none behind
			await tx.delete(tables.loginThrottle).where(
				and(
					inArray(
						tables.loginThrottle.key,
						rows.map((r) => r.key)
					),
					lte(tables.loginThrottle.failures, 0)
				)
			);
			return { ok: false, until };
		}
		let next: Date | null = null;
		for (const { key, scale, row } of rows) {
			const failures = row.lastFailureAt < forgetBefore ? 1 : row.failures + 1;
			const wait = blockDuration(failures, scale);
			const blockedUntil = wait ? new Date(now.getTime() + wait) : null;
			await tx
				.update(tables.loginThrottle)
				.set({ failures, lastFailureAt: now, blockedUntil })
				.where(eq(tables.loginThrottle.key, key));
			if (blockedUntil && (!next || blockedUntil > next)) next = blockedUntil;
			if (scale === 1 && failures === LOCK_FROM && blockedUntil)
				locked.push({ key, until: blockedUntil });
		}
		return { ok: true, next };
	});
	for (const lock of locked) await auditLockout(lock.key, lock.until, keys);
	return reservation;
}

/**
 * An account key just reached its lockout (the 10th failure in a row): audited once per lockout, which is
 * what the "account locked" alert hears. Keys read `scope:account:name`; the address comes from the IP key.
 */
async function auditLockout(key: string, until: Date, keys: ThrottleKey[]) {
	const [scope, , ...account] = key.split(':');
	const ipKey = keys.find((k) => k.key.startsWith(`${scope}:ip:`));
	await recordAudit({
		actor: account.join(':'),
		action: 'auth.locked',
		outcome: 'failed',
		ip: ipKey?.key.slice(`${scope}:ip:`.length),
		detail: { scope, until: until.toISOString() }
	});
}

/**
 * Locks each key's row, creating it (no failures yet) when missing, and returns the rows as they are.
 * Keys are locked in sorted order, so two requests sharing keys never wait on each other in a cycle.
 */
async function lockRows(tx: Tx, keys: ThrottleKey[], now: Date) {
	const sorted = [...keys].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
	const rows = [];
	for (const { key, scale } of sorted) {
		// An upsert that changes nothing still takes the row lock, also on a row another request is creating.
		const [row] = await tx
			.insert(tables.loginThrottle)
			.values({ key, failures: 0, lastFailureAt: now, blockedUntil: null })
			.onConflictDoUpdate({
				target: tables.loginThrottle.key,
				set: { failures: sql`${tables.loginThrottle.failures}` }
			})
			.returning();
		rows.push({ key, scale, row });
	}
	return rows;
}

/** A reserved attempt succeeded: the account's counter is cleared, each address gets its reservation back. */
export async function settleSuccess(keys: ThrottleKey[]) {
	await recordSuccess(keys);
	await giveBack(keys.filter((k) => k.scale !== 1));
}

/** A reserved attempt was not evaluated after all (nothing was checked): every key gets it back. */
export async function releaseAttempt(keys: ThrottleKey[]) {
	await giveBack(keys);
}

/**
 * One failure less on each key, one statement per key (each locks only its own row, so none waits while
 * holding another). The block stays only if the remaining failures still call for one; a key with no
 * failures left is removed.
 */
async function giveBack(keys: ThrottleKey[]) {
	for (const { key, scale } of keys) {
		const [row] = await db()
			.update(tables.loginThrottle)
			.set({
				failures: sql`greatest(${tables.loginThrottle.failures} - 1, 0)`,
				blockedUntil: sql`case when ${tables.loginThrottle.failures} - 1 < ${DELAY_FROM * scale} then null else ${tables.loginThrottle.blockedUntil} end`
			})
			.where(eq(tables.loginThrottle.key, key))
			.returning({ failures: tables.loginThrottle.failures });
		if (row && row.failures <= 0)
			await db()
				.delete(tables.loginThrottle)
				.where(and(eq(tables.loginThrottle.key, key), lte(tables.loginThrottle.failures, 0)));
	}
}

/**
 * Returns when the caller may try again, or null when it may try now. Only a look: a limit that must hold
 * under parallel requests reserves with reserveAttempt instead.
 */
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

/**
 * Counts a failure on every key; returns when the next try is allowed (null: at once). Not atomic with
 * checkThrottle: for limits that must hold under parallel requests use reserveAttempt.
 */
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
