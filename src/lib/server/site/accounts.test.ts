import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { ADMIN, SUPPORT, setUpAccounts } from '../testing/accounts.js';
import { db, tables, type Database } from '../db/index.js';
import { verifyAdminCredentials } from '../auth/admins.js';
import { createSession, validateSessionToken } from '../auth/session.js';
import { updateSiteAccounts } from './accounts.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

const NEW_PASSWORD = 'a brand new passphrase 7';
const keep = { adminPassword: '', supportPassword: '' };
const usernames = { adminUsername: ADMIN.username, supportUsername: SUPPORT.username };

async function signedIn(adminId: string) {
	return createSession(adminId, { ip: '192.0.2.9' });
}

const alive = async (token: string) => (await validateSessionToken(token)) !== null;

describe('site accounts: a changed password ends the account’s sessions', () => {
	it('ends every session of the support account when the admin changes its password', async () => {
		const { admin, support } = await setUpAccounts();
		const acting = await signedIn(admin.id);
		const supportDesk = await signedIn(support.id);
		const supportLaptop = await signedIn(support.id);

		const result = await updateSiteAccounts(
			{ ...usernames, ...keep, supportPassword: NEW_PASSWORD },
			{ actor: ADMIN.username, ip: '192.0.2.1', sessionToken: acting }
		);
		expect(result).toEqual({ ok: true, created: [], passwordsChanged: [SUPPORT.username] });
		expect(await verifyAdminCredentials(SUPPORT.username, NEW_PASSWORD)).not.toBeNull();
		expect(await alive(supportDesk)).toBe(false);
		expect(await alive(supportLaptop)).toBe(false);
		// the acting admin's own session is another account's: untouched
		expect(await alive(acting)).toBe(true);

		const [entry] = (await db().select().from(tables.auditLog)).filter(
			(a) => a.action === 'site.updated'
		);
		expect(entry.detail).toMatchObject({
			section: 'accounts',
			renewedLoginFor: [SUPPORT.username],
			sessionsEndedFor: [SUPPORT.username]
		});
	});

	it('ends the admin’s other sessions but keeps the one making the change', async () => {
		const { admin, support } = await setUpAccounts();
		const acting = await signedIn(admin.id);
		const elsewhere = await signedIn(admin.id);
		const supportDesk = await signedIn(support.id);

		await updateSiteAccounts(
			{ ...usernames, ...keep, adminPassword: NEW_PASSWORD },
			{ actor: ADMIN.username, sessionToken: acting }
		);
		expect(await verifyAdminCredentials(ADMIN.username, NEW_PASSWORD)).not.toBeNull();
		expect(await alive(elsewhere)).toBe(false);
		expect(await alive(acting)).toBe(true);
		// the support account's password did not change
		expect(await alive(supportDesk)).toBe(true);
	});

	it('the kept token spares only its own session, never one of another account', async () => {
		const { admin, support } = await setUpAccounts();
		const supportSession = await signedIn(support.id);
		const adminSession = await signedIn(admin.id);
		// both passwords at once, with the admin's token: only the admin's own session survives
		await updateSiteAccounts(
			{ ...usernames, adminPassword: NEW_PASSWORD, supportPassword: `${NEW_PASSWORD}!` },
			{ actor: ADMIN.username, sessionToken: supportSession }
		);
		expect(await alive(supportSession)).toBe(true);
		expect(await alive(adminSession)).toBe(false);
	});

	it('without the acting session’s token every session of the account ends', async () => {
		const { admin } = await setUpAccounts();
		const acting = await signedIn(admin.id);
		await updateSiteAccounts(
			{ ...usernames, ...keep, adminPassword: NEW_PASSWORD },
			{ actor: ADMIN.username }
		);
		expect(await alive(acting)).toBe(false);
	});

	it('a blank password changes nothing and ends no session', async () => {
		const { admin, support } = await setUpAccounts();
		const sessions = [await signedIn(admin.id), await signedIn(support.id)];
		expect(
			await updateSiteAccounts({ ...usernames, ...keep }, { actor: ADMIN.username })
		).toMatchObject({ ok: true, passwordsChanged: [] });
		for (const token of sessions) expect(await alive(token)).toBe(true);
	});
});
