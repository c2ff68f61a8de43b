import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { ADMIN, SUPPORT, setUpAccounts } from '../testing/accounts.js';
import { db, tables, type Database } from '../db/index.js';
import { signIn } from './sign-in.js';
import { createSession, validateSessionToken } from './session.js';
import { DELAY_FROM, recordFailure, throttleKeys } from './throttle.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

const IP = '203.0.113.5';

describe('sign-in', () => {
	it('opens a session for the right password, in any letter case of the username', async () => {
		await setUpAccounts();
		const result = await signIn({ username: 'ALICE', password: ADMIN.password, ip: IP });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect((await validateSessionToken(result.token))?.username).toBe(ADMIN.username);
		const [entry] = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.action, 'auth.sign_in'));
		expect(entry).toMatchObject({ actor: ADMIN.username, outcome: 'ok', ip: IP });
	});

	it('refuses a wrong password or an unknown user with the same message, and counts both', async () => {
		await setUpAccounts();
		const wrong = await signIn({ username: ADMIN.username, password: 'not the password', ip: IP });
		const unknown = await signIn({ username: 'mallory', password: ADMIN.password, ip: IP });
		expect(wrong).toEqual({ ok: false, reason: 'invalid', message: 'Wrong username or password.' });
		expect(unknown).toEqual(wrong);
		const counters = Object.fromEntries(
			(await db().select().from(tables.loginThrottle)).map((r) => [r.key, r.failures])
		);
		expect(counters).toEqual({
			'sign_in:account:alice': 1,
			'sign_in:account:mallory': 1,
			[`sign_in:ip:${IP}`]: 2
		});
		const failures = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.outcome, 'failed'));
		expect(failures).toHaveLength(2);
		expect(JSON.stringify(failures)).not.toContain('not the password');
	});

	it('refuses the right password while the account is delayed or locked, and says when', async () => {
		await setUpAccounts();
		for (let i = 0; i < 5; i++)
			await signIn({ username: ADMIN.username, password: `wrong ${i}`, ip: IP });
		// the 5th failure started a delay: even the right password waits
		const delayed = await signIn({ username: ADMIN.username, password: ADMIN.password, ip: IP });
		expect(delayed).toMatchObject({ ok: false, reason: 'throttled' });
		expect(!delayed.ok && delayed.message).toMatch(
			/^Too many failed sign-ins\. Try again in \d+ seconds?\.$/
		);

		// five more failures (as if spaced out): locked for 15 minutes
		const account = throttleKeys('sign_in', ADMIN.username, undefined);
		for (let i = 0; i < 5; i++) await recordFailure(account);
		const locked = await signIn({ username: ADMIN.username, password: ADMIN.password, ip: IP });
		expect(locked).toEqual({
			ok: false,
			reason: 'throttled',
			message: 'Too many failed sign-ins. Try again in 15 minutes.'
		});
		// the other account is not locked (counted per account; the IP is far from its allowance)
		expect(
			(await signIn({ username: SUPPORT.username, password: SUPPORT.password, ip: IP })).ok
		).toBe(true);
	});

	it('clears the account counter after a success', async () => {
		await setUpAccounts();
		for (let i = 0; i < 3; i++)
			await signIn({ username: ADMIN.username, password: `wrong ${i}`, ip: IP });
		expect((await signIn({ username: ADMIN.username, password: ADMIN.password, ip: IP })).ok).toBe(
			true
		);
		const keys = (await db().select().from(tables.loginThrottle)).map((r) => r.key);
		expect(keys).toEqual([`sign_in:ip:${IP}`]);
	});

	it('issues a new token and ends the one presented before signing in', async () => {
		const { admin } = await setUpAccounts();
		const planted = await createSession(admin.id, {});
		const result = await signIn({
			username: ADMIN.username,
			password: ADMIN.password,
			previousToken: planted
		});
		expect(result.ok && result.token).not.toBe(planted);
		expect(await validateSessionToken(planted)).toBeNull();
	});

	it('refuses a disabled account', async () => {
		const { admin } = await setUpAccounts();
		await db()
			.update(tables.admins)
			.set({ disabledAt: new Date() })
			.where(eq(tables.admins.id, admin.id));
		expect((await signIn({ username: ADMIN.username, password: ADMIN.password })).ok).toBe(false);
	});
});

describe('sign-in under parallel requests', () => {
	// The clock stands still during the burst: the rule then lets exactly the first DELAY_FROM through.
	beforeEach(() => {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2030-03-01T09:00:00Z'));
	});
	afterEach(() => {
		vi.useRealTimers();
	});

	/** Sign-ins whose password was actually checked (a throttled one is audited with reason "throttled"). */
	async function evaluatedSignIns() {
		const failed = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.outcome, 'failed'));
		return failed.filter(
			(row) => (row.detail as { reason?: string }).reason === 'wrong username or password'
		).length;
	}

	it('checks at most 5 of 100 parallel wrong passwords for one account', async () => {
		await setUpAccounts();
		const results = await Promise.all(
			Array.from({ length: 100 }, (_, i) =>
				signIn({ username: ADMIN.username, password: `wrong ${i}`, ip: IP })
			)
		);
		expect(await evaluatedSignIns()).toBe(DELAY_FROM);
		expect(results.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(100 - DELAY_FROM);
		const [counter] = await db()
			.select()
			.from(tables.loginThrottle)
			.where(eq(tables.loginThrottle.key, 'sign_in:account:alice'));
		expect(counter.failures).toBe(DELAY_FROM);
	});

	it('checks at most 25 of 100 parallel wrong passwords for different accounts from one address', async () => {
		await setUpAccounts();
		await Promise.all(
			Array.from({ length: 100 }, (_, i) =>
				signIn({ username: `guess${i}`, password: 'whatever it is', ip: IP })
			)
		);
		expect(await evaluatedSignIns()).toBe(DELAY_FROM * 5);
	});

	it('gives the address back its reservation when the password was right', async () => {
		await setUpAccounts();
		await signIn({ username: SUPPORT.username, password: 'wrong one', ip: IP });
		expect((await signIn({ username: ADMIN.username, password: ADMIN.password, ip: IP })).ok).toBe(
			true
		);
		const counters = Object.fromEntries(
			(await db().select().from(tables.loginThrottle)).map((r) => [r.key, r.failures])
		);
		expect(counters).toEqual({ 'sign_in:account:bob': 1, [`sign_in:ip:${IP}`]: 1 });
	});
});
