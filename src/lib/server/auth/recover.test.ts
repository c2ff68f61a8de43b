import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { ADMIN, setUpAccounts } from '../testing/accounts.js';
import { db, tables, type Database } from '../db/index.js';
import { resetPasswordWithRecoveryCode } from './recover.js';
import { verifyAdminCredentials } from './admins.js';
import { createSession, validateSessionToken } from './session.js';
import { RECOVERY_CODE_COUNT, countUnusedRecoveryCodes } from './recovery-codes.js';
import { DELAY_FROM } from './throttle.js';
import * as password from './password.js';

// Every argon2 verification is counted, whichever helper asks for it.
vi.mock('./password.js', async (importOriginal) => {
	const real = await importOriginal<typeof import('./password.js')>();
	return {
		...real,
		verifyPassword: vi.fn(real.verifyPassword),
		spendPasswordVerification: vi.fn(real.spendPasswordVerification)
	};
});
const verifications = () =>
	vi.mocked(password.verifyPassword).mock.calls.length +
	vi.mocked(password.spendPasswordVerification).mock.calls.length;

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

const NEW_PASSWORD = 'a fresh and long passphrase';
const IP = '203.0.113.9';

async function failures(key: string) {
	const [row] = await db()
		.select()
		.from(tables.loginThrottle)
		.where(eq(tables.loginThrottle.key, key));
	return row?.failures ?? 0;
}

describe('reset with a recovery code', () => {
	it('sets the new password, spends the code and ends the sessions', async () => {
		const { admin, codes } = await setUpAccounts();
		const session = await createSession(admin.id, {});
		const result = await resetPasswordWithRecoveryCode({
			username: ADMIN.username,
			recoveryCode: codes[0],
			newPassword: NEW_PASSWORD,
			ip: IP
		});
		expect(result).toEqual({ ok: true, remaining: 9 });
		expect(await verifyAdminCredentials(ADMIN.username, NEW_PASSWORD)).not.toBeNull();
		expect(await verifyAdminCredentials(ADMIN.username, ADMIN.password)).toBeNull();
		expect(await validateSessionToken(session)).toBeNull();
		const audit = await db().select().from(tables.auditLog);
		expect(audit.map((a) => a.action).sort()).toEqual(['account.password_reset', 'recovery.used']);
		expect(JSON.stringify(audit)).not.toContain(codes[0]);
		expect(JSON.stringify(audit)).not.toContain(NEW_PASSWORD);
	});

	it('refuses the same code the second time, and counts it as a failure', async () => {
		const { codes } = await setUpAccounts();
		const input = {
			username: ADMIN.username,
			recoveryCode: codes[4],
			newPassword: NEW_PASSWORD,
			ip: IP
		};
		expect((await resetPasswordWithRecoveryCode(input)).ok).toBe(true);
		const again = await resetPasswordWithRecoveryCode({
			...input,
			newPassword: 'yet another passphrase'
		});
		expect(again).toEqual({
			ok: false,
			status: 400,
			message: 'That username and recovery code do not match an unused code.'
		});
		expect(await verifyAdminCredentials(ADMIN.username, NEW_PASSWORD)).not.toBeNull();
		expect(await failures('recovery:account:alice')).toBe(1);
	});

	it('counts a wrong code or an unknown user as a failure, and changes nothing', async () => {
		const { admin } = await setUpAccounts();
		const wrong = await resetPasswordWithRecoveryCode({
			username: ADMIN.username,
			recoveryCode: 'AAAA-BBBB-CCCC-DDDD',
			newPassword: NEW_PASSWORD,
			ip: IP
		});
		expect(wrong.ok).toBe(false);
		const unknown = await resetPasswordWithRecoveryCode({
			username: 'nobody',
			recoveryCode: 'AAAA-BBBB-CCCC-DDDD',
			newPassword: NEW_PASSWORD,
			ip: IP
		});
		expect(unknown).toEqual(wrong);
		expect(await failures('recovery:account:alice')).toBe(1);
		expect(await failures('recovery:account:nobody')).toBe(1);
		expect(await failures(`recovery:ip:${IP}`)).toBe(2);
		expect(await verifyAdminCredentials(ADMIN.username, ADMIN.password)).not.toBeNull();
		expect(await countUnusedRecoveryCodes(admin.id)).toBe(10);
		const failed = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.outcome, 'failed'));
		expect(failed.map((a) => a.action)).toEqual(['recovery.used', 'recovery.used']);
	});

	it('stops trying, even with a right code, once throttled', async () => {
		const { codes } = await setUpAccounts();
		let last;
		for (let i = 0; i < 6; i++)
			last = await resetPasswordWithRecoveryCode({
				username: ADMIN.username,
				recoveryCode: `WRONG-${i}`,
				newPassword: NEW_PASSWORD
			});
		expect(last).toMatchObject({ ok: false, status: 429 });
		const right = await resetPasswordWithRecoveryCode({
			username: ADMIN.username,
			recoveryCode: codes[0],
			newPassword: NEW_PASSWORD
		});
		expect(right).toMatchObject({ ok: false, status: 429 });
		expect(!right.ok && right.message).toMatch(
			/^Too many failed attempts\. Try again in \d+ seconds?\.$/
		);
		expect(await verifyAdminCredentials(ADMIN.username, ADMIN.password)).not.toBeNull();
	});
});

describe('recovery codes: the same work for every answer', () => {
	const attempt = (username: string, recoveryCode = 'AAAA-BBBB-CCCC-DDDD') =>
		resetPasswordWithRecoveryCode({ username, recoveryCode, newPassword: NEW_PASSWORD, ip: IP });

	async function verificationsOf(run: () => Promise<unknown>) {
		vi.mocked(password.verifyPassword).mockClear();
		vi.mocked(password.spendPasswordVerification).mockClear();
		await run();
		return verifications();
	}

	it('spends as many hash verifications on an unknown account, or one without codes, as on a real one', async () => {
		const { admin } = await setUpAccounts();
		const known = await verificationsOf(() => attempt(ADMIN.username));
		expect(known).toBe(RECOVERY_CODE_COUNT);
		expect(await verificationsOf(() => attempt('nobody'))).toBe(known);
		// the support account has no recovery codes at all
		expect(await verificationsOf(() => attempt('bob'))).toBe(known);
		// and an account whose codes are all spent
		await db()
			.update(tables.recoveryCodes)
			.set({ usedAt: new Date() })
			.where(eq(tables.recoveryCodes.adminId, admin.id));
		expect(await verificationsOf(() => attempt(ADMIN.username))).toBe(known);
		// a code that cannot be one (wrong length) costs the same too
		expect(await verificationsOf(() => attempt('nobody', 'short'))).toBe(known);
	});

	it('spends the same on a right code as on a wrong one', async () => {
		const { codes } = await setUpAccounts();
		expect(await verificationsOf(() => attempt(ADMIN.username, codes[0]))).toBe(
			RECOVERY_CODE_COUNT
		);
	});
});

describe('recovery codes under parallel requests', () => {
	beforeEach(() => {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2030-03-01T09:00:00Z'));
	});
	afterEach(() => {
		vi.useRealTimers();
	});

	it(
		'checks at most 5 of 100 parallel wrong codes for one account',
		{ timeout: 180_000 },
		async () => {
			await setUpAccounts();
			const results = await Promise.all(
				Array.from({ length: 100 }, (_, i) =>
					resetPasswordWithRecoveryCode({
						username: ADMIN.username,
						recoveryCode: `AAAA-BBBB-CCCC-${String(i).padStart(4, '0')}`,
						newPassword: NEW_PASSWORD,
						ip: IP
					})
				)
			);
			const checked = await db()
				.select()
				.from(tables.auditLog)
				.where(eq(tables.auditLog.outcome, 'failed'));
			expect(checked).toHaveLength(DELAY_FROM);
			expect(results.filter((r) => !r.ok && r.status === 429)).toHaveLength(100 - DELAY_FROM);
			expect(await failures('recovery:account:alice')).toBe(DELAY_FROM);
		}
	);
});
