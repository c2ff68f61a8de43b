import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { ADMIN, setUpAccounts } from '../testing/accounts.js';
import type { Database } from '../db/index.js';
import { DELAY_FROM } from './throttle.js';

// Count the password checks that really run (argon2 verifications).
const verified = vi.hoisted(() => ({ count: 0 }));
vi.mock('./password.js', async (original) => {
	const actual = await original<typeof import('./password.js')>();
	return {
		...actual,
		verifyPassword: async (hash: string, password: string) => {
			verified.count++;
			return actual.verifyPassword(hash, password);
		}
	};
});

const { confirmCurrentPassword } = await import('./account.js');

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
	verified.count = 0;
	vi.useFakeTimers({ toFake: ['Date'] });
	vi.setSystemTime(new Date('2030-03-01T09:00:00Z'));
});
afterEach(async () => {
	vi.useRealTimers();
	await database.close();
});

describe('confirmCurrentPassword', () => {
	it('accepts the right password and refuses a wrong one', async () => {
		const { admin } = await setUpAccounts();
		expect(await confirmCurrentPassword(admin.id, ADMIN.username, ADMIN.password)).toEqual({
			ok: true
		});
		expect(await confirmCurrentPassword(admin.id, ADMIN.username, 'not it')).toMatchObject({
			ok: false,
			status: 400
		});
	});

	it('verifies at most 5 of 100 parallel wrong passwords (checked and counted in one step)', async () => {
		const { admin } = await setUpAccounts();
		const answers = await Promise.all(
			Array.from({ length: 100 }, (_, i) =>
				confirmCurrentPassword(admin.id, ADMIN.username, `wrong ${i}`, '203.0.113.7')
			)
		);
		expect(verified.count).toBe(DELAY_FROM);
		expect(answers.filter((a) => !a.ok && a.status === 429)).toHaveLength(100 - DELAY_FROM);
	});
});
