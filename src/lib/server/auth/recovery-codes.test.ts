import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import type { Database } from '../db/index.js';
import { completeSetup } from './admins.js';
import {
	consumeRecoveryCode,
	countUnusedRecoveryCodes,
	regenerateRecoveryCodes
} from './recovery-codes.js';
import { db, tables } from '../db/index.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

async function setup() {
	const result = await completeSetup({
		adminUsername: 'alice',
		adminPassword: 'correct horse battery staple',
		supportUsername: 'bob',
		supportPassword: 'another long passphrase here'
	});
	if (!result) throw new Error('setup refused');
	return result;
}

describe('recovery codes', () => {
	it('issues 10 codes of 80 bits and stores only argon2id hashes', async () => {
		const { admin, codes } = await setup();
		expect(codes).toHaveLength(10);
		expect(new Set(codes).size).toBe(10);
		for (const code of codes)
			expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
		const rows = await db().select().from(tables.recoveryCodes);
		expect(rows).toHaveLength(10);
		for (const row of rows) {
			expect(row.adminId).toBe(admin.id);
			expect(row.codeHash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
			expect(codes.some((c) => row.codeHash.includes(c))).toBe(false);
		}
	});

	it('accepts a code once, in any case and without dashes', async () => {
		const { admin, codes } = await setup();
		const typed = codes[3].toLowerCase().replace(/-/g, ' ');
		expect(await consumeRecoveryCode(admin.id, typed)).toBe(true);
		expect(await consumeRecoveryCode(admin.id, codes[3])).toBe(false);
		expect(await countUnusedRecoveryCodes(admin.id)).toBe(9);
	});

	it('regeneration kills the old set at once', async () => {
		const { admin, codes } = await setup();
		const fresh = await regenerateRecoveryCodes(admin.id);
		expect(await consumeRecoveryCode(admin.id, codes[0])).toBe(false);
		expect(await consumeRecoveryCode(admin.id, fresh[0])).toBe(true);
		expect(await countUnusedRecoveryCodes(admin.id)).toBe(9);
	});

	it('refuses a code of another account', async () => {
		const { codes } = await setup();
		const [support] = await db()
			.select()
			.from(tables.admins)
			.where((await import('drizzle-orm')).eq(tables.admins.username, 'bob'));
		expect(await consumeRecoveryCode(support.id, codes[0])).toBe(false);
	});
});
