import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { ADMIN, SUPPORT, setUpAccounts } from '../testing/accounts.js';
import { db, tables, type Database } from '../db/index.js';
import {
	completeSetup,
	findAdminByUsername,
	forgetSetupState,
	isSetupDone,
	setAdminPassword,
	verifyAdminCredentials
} from './admins.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

describe('first-run setup', () => {
	it('creates the admin and the support account with argon2id hashes, once', async () => {
		expect(await isSetupDone()).toBe(false);
		const { admin, support, codes } = await setUpAccounts();
		expect(admin).toMatchObject({ username: ADMIN.username, role: 'admin' });
		expect(support).toMatchObject({ username: SUPPORT.username, role: 'support' });
		expect(codes).toHaveLength(10);
		for (const row of await db().select().from(tables.admins))
			expect(row.passwordHash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
		forgetSetupState();
		expect(await isSetupDone()).toBe(true);
		const second = await completeSetup({
			adminUsername: 'eve',
			adminPassword: 'some other passphrase',
			supportUsername: 'trudy',
			supportPassword: 'some other passphrase 2'
		});
		expect(second).toBeNull();
		expect(await db().select().from(tables.admins)).toHaveLength(2);
	});

	it('lets only one of two simultaneous setups win', async () => {
		const input = (n: number) => ({
			adminUsername: `admin${n}`,
			adminPassword: 'correct horse battery staple',
			supportUsername: `support${n}`,
			supportPassword: 'another long passphrase here'
		});
		const results = await Promise.all([completeSetup(input(1)), completeSetup(input(2))]);
		expect(results.filter(Boolean)).toHaveLength(1);
		expect(await db().select().from(tables.admins)).toHaveLength(2);
	});

	it('refuses a support username equal to the admin one in another letter case', async () => {
		await expect(
			completeSetup({
				adminUsername: 'Alice',
				adminPassword: 'correct horse battery staple',
				supportUsername: 'alice',
				supportPassword: 'another long passphrase here'
			})
		).rejects.toThrow();
		expect(await db().select().from(tables.admins)).toHaveLength(0);
	});
});

describe('credentials', () => {
	it('finds accounts in any letter case and checks the password exactly', async () => {
		await setUpAccounts();
		expect((await findAdminByUsername('ALICE'))?.username).toBe(ADMIN.username);
		expect(await verifyAdminCredentials('Alice', ADMIN.password)).not.toBeNull();
		expect(await verifyAdminCredentials('alice', ` ${ADMIN.password}`)).toBeNull();
		expect(await verifyAdminCredentials('alice', SUPPORT.password)).toBeNull();
		expect(await verifyAdminCredentials('nobody', ADMIN.password)).toBeNull();
	});

	it('replaces the password hash', async () => {
		const { admin } = await setUpAccounts();
		await setAdminPassword(admin.id, 'the replacement passphrase');
		expect(await verifyAdminCredentials('alice', 'the replacement passphrase')).not.toBeNull();
		expect(await verifyAdminCredentials('alice', ADMIN.password)).toBeNull();
	});
});
