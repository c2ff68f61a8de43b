/** The two console accounts most tests start from, created through the real setup routine. */
import { eq } from 'drizzle-orm';
import { completeSetup } from '../auth/admins.js';
import { db, tables } from '../db/index.js';

export const ADMIN = { username: 'alice', password: 'correct horse battery staple' } as const;
export const SUPPORT = { username: 'bob', password: 'another long passphrase here' } as const;

export async function setUpAccounts() {
	const result = await completeSetup({
		adminUsername: ADMIN.username,
		adminPassword: ADMIN.password,
		supportUsername: SUPPORT.username,
		supportPassword: SUPPORT.password
	});
	if (!result) throw new Error('setup refused: the test database was not empty');
	const [support] = await db()
		.select()
		.from(tables.admins)
		.where(eq(tables.admins.username, SUPPORT.username));
	return { admin: result.admin, support, codes: result.codes };
}
