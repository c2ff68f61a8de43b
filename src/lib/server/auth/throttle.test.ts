import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import {
	blockDuration,
	checkThrottle,
	describeWait,
	DELAY_FROM,
	recordFailure,
	recordSuccess,
	releaseAttempt,
	reserveAttempt,
	settleSuccess,
	throttleKeys
} from './throttle.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
const T0 = new Date('2026-03-01T08:00:00Z');

describe('blockDuration', () => {
	it('lets the first four failures through, then delays 1, 2, 4, 8, 16 s', () => {
		expect([1, 2, 3, 4].map((n) => blockDuration(n))).toEqual([0, 0, 0, 0]);
		expect([5, 6, 7, 8, 9].map((n) => blockDuration(n))).toEqual(
			[1, 2, 4, 8, 16].map((s) => s * SECOND)
		);
	});

	it('locks for 15 minutes from the 10th failure, doubling, never beyond 24 hours', () => {
		expect(blockDuration(10)).toBe(15 * MINUTE);
		expect(blockDuration(11)).toBe(30 * MINUTE);
		expect(blockDuration(12)).toBe(60 * MINUTE);
		expect(blockDuration(17)).toBe(24 * HOUR);
		expect(blockDuration(1000)).toBe(24 * HOUR);
	});

	it('gives an IP address five times the allowance', () => {
		expect(blockDuration(24, 5)).toBe(0);
		expect(blockDuration(25, 5)).toBe(SECOND);
		expect(blockDuration(29, 5)).toBe(16 * SECOND);
		// the delay stops growing at 16 s until the lockout
		expect(blockDuration(49, 5)).toBe(16 * SECOND);
		expect(blockDuration(50, 5)).toBe(15 * MINUTE);
	});
});

describe('describeWait', () => {
	it('says how long in words', () => {
		expect(describeWait(at(T0, 1), T0)).toBe('1 second');
		expect(describeWait(at(T0, 16 * SECOND), T0)).toBe('16 seconds');
		expect(describeWait(at(T0, 15 * MINUTE), T0)).toBe('15 minutes');
		expect(describeWait(at(T0, 61 * SECOND), T0)).toBe('2 minutes');
		expect(describeWait(at(T0, 24 * HOUR), T0)).toBe('24 hours');
		expect(describeWait(at(T0, -5 * SECOND), T0)).toBe('1 second');
	});
});

describe('throttle keys', () => {
	it('count per account (any letter case) and per IP address', () => {
		expect(throttleKeys('sign_in', 'Alice', '192.0.2.7')).toEqual([
			{ key: 'sign_in:account:alice', scale: 1 },
			{ key: 'sign_in:ip:192.0.2.7', scale: 5 }
		]);
		expect(throttleKeys('sign_in', 'alice', undefined)).toHaveLength(1);
	});
});

describe('throttle counters', () => {
	let database: Database;
	beforeEach(async () => {
		database = await freshTestDatabase();
	});
	afterEach(async () => {
		await database.close();
	});

	/** Fails `n` times, each one just after the previous block ended. Returns the time of the last. */
	async function failTimes(keys: ReturnType<typeof throttleKeys>, n: number, from = T0) {
		let now = from;
		for (let i = 0; i < n; i++) {
			const blocked = await checkThrottle(keys, now);
			if (blocked) now = at(blocked, 1);
			await recordFailure(keys, now);
		}
		return now;
	}

	it('delay from the 5th failure and block only until the delay has passed', async () => {
		const keys = throttleKeys('sign_in', 'alice', '192.0.2.7');
		const fourth = await failTimes(keys, 4);
		expect(await checkThrottle(keys, fourth)).toBeNull();
		const until = await recordFailure(keys, fourth);
		expect(until).toEqual(at(fourth, SECOND));
		expect(await checkThrottle(keys, at(fourth, 500))).toEqual(until);
		expect(await checkThrottle(keys, at(fourth, SECOND + 1))).toBeNull();
		// the 6th failure doubles the delay
		expect(await recordFailure(keys, at(fourth, SECOND + 1))).toEqual(at(fourth, 3 * SECOND + 1));
	});

	it('lock the account from the 10th failure, and the message says when', async () => {
		const keys = throttleKeys('sign_in', 'alice', '192.0.2.7');
		const ninth = await failTimes(keys, 9);
		const blocked = await checkThrottle(keys, ninth);
		const tenth = at(blocked!, 1);
		const until = await recordFailure(keys, tenth);
		expect(until).toEqual(at(tenth, 15 * MINUTE));
		expect(await checkThrottle(keys, at(tenth, 14 * MINUTE))).toEqual(until);
		expect(describeWait(until!, tenth)).toBe('15 minutes');
		const [row] = await db()
			.select()
			.from(tables.loginThrottle)
			.where((await import('drizzle-orm')).eq(tables.loginThrottle.key, 'sign_in:account:alice'));
		expect(row.failures).toBe(10);
	});

	it('give an IP address five times the allowance across accounts', async () => {
		let now = T0;
		// 24 failures for 24 different accounts from one address: no delay anywhere
		for (let i = 0; i < 24; i++) {
			const keys = throttleKeys('sign_in', `user${i}`, '198.51.100.9');
			expect(await recordFailure(keys, now)).toBeNull();
			now = at(now, 10);
		}
		// the 25th delays that address, for a fresh account too
		expect(await recordFailure(throttleKeys('sign_in', 'user24', '198.51.100.9'), now)).toEqual(
			at(now, SECOND)
		);
		expect(
			await checkThrottle(throttleKeys('sign_in', 'someone', '198.51.100.9'), now)
		).not.toBeNull();
		// another address is not affected
		expect(
			await checkThrottle(throttleKeys('sign_in', 'someone', '198.51.100.10'), now)
		).toBeNull();
	});

	it('reset the account counter on success, leaving the IP counter', async () => {
		const keys = throttleKeys('sign_in', 'alice', '192.0.2.7');
		const last = await failTimes(keys, 6);
		await recordSuccess(keys);
		const rows = await db().select().from(tables.loginThrottle);
		expect(rows.map((r) => r.key)).toEqual(['sign_in:ip:192.0.2.7']);
		expect(rows[0].failures).toBe(6);
		// a new failure for the account starts again from one: no delay
		const account = keys.filter((k) => k.scale === 1);
		expect(await recordFailure(account, at(last, HOUR))).toBeNull();
	});

	it('forget failures after 24 hours without one', async () => {
		const keys = throttleKeys('sign_in', 'alice', undefined);
		const ninth = await failTimes(keys, 9);
		// the next failure a day later counts as the first
		expect(await recordFailure(keys, at(ninth, 24 * HOUR + SECOND))).toBeNull();
		const [row] = await db().select().from(tables.loginThrottle);
		expect(row.failures).toBe(1);
	});

	it('keep sign-in and recovery counters apart', async () => {
		await failTimes(throttleKeys('recovery', 'alice', undefined), 10);
		expect(
			await checkThrottle(throttleKeys('recovery', 'alice', undefined), at(T0, MINUTE))
		).not.toBeNull();
		expect(
			await checkThrottle(throttleKeys('sign_in', 'alice', undefined), at(T0, MINUTE))
		).toBeNull();
	});
});

describe('throttle reservations', () => {
	let database: Database;
	beforeEach(async () => {
		database = await freshTestDatabase();
	});
	afterEach(async () => {
		await database.close();
	});

	const counters = async () =>
		Object.fromEntries(
			(await db().select().from(tables.loginThrottle)).map((r) => [r.key, r.failures])
		);

	it('let exactly 5 of 100 parallel attempts through at one instant, and count only those', async () => {
		const keys = throttleKeys('sign_in', 'alice', '192.0.2.7');
		const results = await Promise.all(Array.from({ length: 100 }, () => reserveAttempt(keys, T0)));
		expect(results.filter((r) => r.ok)).toHaveLength(DELAY_FROM);
		expect(results.filter((r) => !r.ok)).toEqual(
			Array(100 - DELAY_FROM).fill({ ok: false, until: at(T0, SECOND) })
		);
		expect(await counters()).toEqual({
			'sign_in:account:alice': DELAY_FROM,
			'sign_in:ip:192.0.2.7': DELAY_FROM
		});
	});

	it('say when the next try is allowed should the reserved one fail', async () => {
		const keys = throttleKeys('sign_in', 'alice', undefined);
		for (let i = 0; i < DELAY_FROM - 1; i++)
			expect(await reserveAttempt(keys, T0)).toEqual({ ok: true, next: null });
		expect(await reserveAttempt(keys, T0)).toEqual({ ok: true, next: at(T0, SECOND) });
		// once the delay is over the next reservation counts the 6th
		expect(await reserveAttempt(keys, at(T0, SECOND))).toEqual({
			ok: true,
			next: at(T0, 3 * SECOND)
		});
	});

	it('refuse while the address is blocked without leaving a counter for a new account', async () => {
		for (let i = 0; i < 25; i++)
			await reserveAttempt(throttleKeys('sign_in', `user${i}`, '198.51.100.9'), T0);
		const refused = await reserveAttempt(throttleKeys('sign_in', 'fresh', '198.51.100.9'), T0);
		expect(refused).toEqual({ ok: false, until: at(T0, SECOND) });
		expect(Object.keys(await counters())).not.toContain('sign_in:account:fresh');
	});

	it('forget a reservation of 24 hours ago', async () => {
		const keys = throttleKeys('sign_in', 'alice', undefined);
		for (let i = 0; i < 9; i++) await reserveAttempt(keys, at(T0, i * HOUR));
		await reserveAttempt(keys, at(T0, 40 * HOUR));
		expect(await counters()).toEqual({ 'sign_in:account:alice': 1 });
	});

	it('after a success clear the account and give the address its reservation back', async () => {
		const keys = throttleKeys('sign_in', 'alice', '192.0.2.7');
		await reserveAttempt(throttleKeys('sign_in', 'bob', '192.0.2.7'), T0);
		await reserveAttempt(keys, T0);
		await reserveAttempt(keys, T0);
		await settleSuccess(keys);
		expect(await counters()).toEqual({ 'sign_in:account:bob': 1, 'sign_in:ip:192.0.2.7': 2 });
	});

	it('unblock an address once the given-back reservation leaves it under its limit', async () => {
		for (let i = 0; i < 24; i++)
			await reserveAttempt(throttleKeys('sign_in', `user${i}`, '198.51.100.9'), T0);
		const last = throttleKeys('sign_in', 'alice', '198.51.100.9');
		expect(await reserveAttempt(last, T0)).toEqual({ ok: true, next: at(T0, SECOND) });
		await settleSuccess(last);
		expect(await checkThrottle(throttleKeys('sign_in', 'carol', '198.51.100.9'), T0)).toBeNull();
	});

	it('give every key back an attempt that was not evaluated, leaving no empty counter', async () => {
		const keys = throttleKeys('user_sign_in', 'alice', '192.0.2.7');
		await reserveAttempt(keys, T0);
		await releaseAttempt(keys);
		expect(await counters()).toEqual({});
		await reserveAttempt(keys, T0);
		await reserveAttempt(keys, T0);
		await releaseAttempt(keys);
		expect(await counters()).toEqual({
			'user_sign_in:account:alice': 1,
			'user_sign_in:ip:192.0.2.7': 1
		});
	});
});
