import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { directoryForDomain } from '../directory/index.js';
import { findDomainRow } from './domains.js';
import { seedIdentityDemo, DEMO_PASSWORD } from './seed.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

describe('identity demo seed', () => {
	it('creates generators, domains, users with and without e-mail, and applications, once', async () => {
		const seed = await seedIdentityDemo();
		expect(seed.users.map((u) => [u.username, u.email])).toEqual([
			['jane', 'jane@postern.test'],
			['kiosk', null],
			['tom', 'tom@postern.test']
		]);
		expect(seed.applicationIds).toHaveLength(3);
		const generators = await db().select().from(tables.otpGenerators);
		expect(generators.map((g) => g.type).sort()).toEqual(['email', 'totp']);
		const domain = (await findDomainRow(seed.emailDomainId))!;
		expect(domain).toMatchObject({
			kind: 'local',
			emailAttribute: 'email',
			otpGeneratorId: seed.emailGeneratorId
		});
		expect(await directoryForDomain(domain).authenticate('jane', DEMO_PASSWORD)).toMatchObject({
			email: 'jane@postern.test'
		});
		const again = await seedIdentityDemo();
		expect(again.emailDomainId).toBe(seed.emailDomainId);
		expect(again.totpGeneratorId).toBe(seed.totpGeneratorId);
		expect(await db().select().from(tables.users)).toHaveLength(3);
	});
});
