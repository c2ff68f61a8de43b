import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { createLocalDirectory } from '../directory/local.js';
import { beginTotpEnrollment, DEFAULT_TOTP_OPTIONS, listTotpEnrollments } from '../otp/totp.js';
import {
	createLocalUser,
	deleteLocalUser,
	getLocalUser,
	localUserFormValues,
	resetTotpById,
	resetUserTotp,
	setLocalUserDisabled,
	setLocalUserPassword,
	updateLocalUser
} from './users.js';
import { listLocalUsersPage } from './user-list.js';

let database: Database;
let domainId: string;
const admin = { actor: 'alice', ip: '192.0.2.1' };
const PASSWORD = 'violet tractor sings at dawn';

beforeEach(async () => {
	database = await freshTestDatabase();
	const [domain] = await db()
		.insert(tables.domains)
		.values({ kind: 'local', name: 'Local', emailAttribute: 'email' })
		.returning();
	domainId = domain.id;
});
afterEach(async () => {
	await database.close();
});

const newUser = (username = 'jdoe', extra = {}) =>
	createLocalUser(
		domainId,
		{
			username,
			displayName: 'J. Doe',
			email: 'jdoe@example.com',
			password: PASSWORD,
			disabled: false,
			...extra
		},
		admin
	);

describe('local users', () => {
	it('creates a user with an argon2id hash and signs them in through the local directory', async () => {
		const created = await newUser();
		expect(created).toMatchObject({
			ok: true,
			user: { username: 'jdoe', disabled: false, totp: 'none' }
		});
		const [row] = await db().select().from(tables.users);
		expect(row.passwordHash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
		expect(JSON.stringify(created)).not.toContain('argon2');
		const directory = createLocalDirectory({ id: domainId, emailAttribute: 'email' });
		expect(await directory.authenticate('JDOE', PASSWORD)).toMatchObject({
			username: 'jdoe',
			email: 'jdoe@example.com',
			personKey: `user:${row.id}`
		});
		expect(await directory.authenticate('jdoe', 'wrong password')).toBeNull();
		expect(await directory.authenticate('ghost', PASSWORD)).toBeNull();
		// The e-mail attribute of a local domain is `email`; another name finds nothing.
		const other = createLocalDirectory({ id: domainId, emailAttribute: 'mail' });
		expect((await other.authenticate('jdoe', PASSWORD))?.email).toBeNull();
	});

	it('refuses a username taken in any letter case, and a weak password', async () => {
		await newUser('jdoe');
		expect(await newUser('JDoe')).toMatchObject({
			ok: false,
			field: 'username',
			code: 'username_taken'
		});
		expect(await newUser('other', { password: 'password1234' })).toMatchObject({
			ok: false,
			field: 'password',
			code: 'weak_password'
		});
		expect(await newUser('samename', { password: 'samename'.repeat(2) })).toMatchObject({
			ok: false
		});
	});

	it('the same username may exist in another domain', async () => {
		const [other] = await db()
			.insert(tables.domains)
			.values({ kind: 'local', name: 'Other', emailAttribute: 'email' })
			.returning();
		await newUser('jdoe');
		const second = await createLocalUser(
			other.id,
			{ username: 'jdoe', displayName: '', email: '', password: PASSWORD, disabled: false },
			admin
		);
		expect(second.ok).toBe(true);
	});

	it('refuses users in an LDAP domain', async () => {
		const [ldap] = await db()
			.insert(tables.domains)
			.values({ kind: 'ldap', name: 'Dir', emailAttribute: 'mail' })
			.returning();
		const result = await createLocalUser(
			ldap.id,
			{ username: 'x', displayName: '', email: '', password: PASSWORD, disabled: false },
			admin
		);
		expect(result).toMatchObject({ ok: false, code: 'not_local' });
	});

	it('edits, disables and enables, sets the password; audits each; form values fit the edit form', async () => {
		const created = await newUser();
		if (!created.ok) throw new Error('refused');
		const id = created.user.id;
		const edited = await updateLocalUser(
			id,
			{ displayName: 'Jane', email: '', disabled: true },
			admin
		);
		expect(edited).toMatchObject({
			ok: true,
			user: { displayName: 'Jane', email: null, disabled: true }
		});
		expect(localUserFormValues((await getLocalUser(id))!)).toEqual({
			displayName: 'Jane',
			email: '',
			disabled: true
		});
		await setLocalUserDisabled(id, false, admin);
		expect(await setLocalUserPassword(id, 'short', admin)).toMatchObject({ code: 'weak_password' });
		const before = (await db().select().from(tables.users))[0].passwordHash;
		expect((await setLocalUserPassword(id, 'a whole new passphrase here', admin)).ok).toBe(true);
		expect((await db().select().from(tables.users))[0].passwordHash).not.toBe(before);
		const actions = (await db().select().from(tables.auditLog)).map((a) => a.action);
		expect(actions).toEqual([
			'user.created',
			'user.updated',
			'user.disabled',
			'user.enabled',
			'user.password_set'
		]);
	});

	it('lists users by name with their TOTP state; resets TOTP by username or by enrollment', async () => {
		const b = await newUser('bert');
		await newUser('anna');
		if (!b.ok) throw new Error('refused');
		const begun = await beginTotpEnrollment(
			{ domainId, personKey: `user:${b.user.id}`, username: 'bert' },
			DEFAULT_TOTP_OPTIONS
		);
		expect((await listLocalUsersPage(domainId)).users.map((u) => [u.username, u.totp])).toEqual([
			['anna', 'none'],
			['bert', 'pending']
		]);
		expect(await resetUserTotp({ domainId, username: 'BERT', audit: admin })).toEqual({
			ok: true,
			reset: true
		});
		expect(await listTotpEnrollments(domainId)).toEqual([]);
		expect(await resetUserTotp({ domainId, username: 'anna', audit: admin })).toEqual({
			ok: true,
			reset: false
		});
		await beginTotpEnrollment(
			{ domainId, personKey: `user:${b.user.id}`, username: 'bert' },
			DEFAULT_TOTP_OPTIONS
		);
		const [enrollment] = await listTotpEnrollments(domainId);
		expect(enrollment.id).not.toBe(begun!.enrollment.id);
		expect(await resetTotpById(enrollment.id, admin)).toEqual({ ok: true, reset: true });
		const resets = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.action, 'totp.reset'));
		expect(resets.map((r) => r.detail)).toEqual([
			expect.objectContaining({ username: 'bert', hadEnrollment: true }),
			expect.objectContaining({ username: 'anna', hadEnrollment: false }),
			expect.objectContaining({ username: 'bert', hadEnrollment: true })
		]);
	});

	it('deleting a user removes their enrollment', async () => {
		const created = await newUser();
		if (!created.ok) throw new Error('refused');
		await beginTotpEnrollment(
			{ domainId, personKey: `user:${created.user.id}`, username: 'jdoe' },
			DEFAULT_TOTP_OPTIONS
		);
		expect(await deleteLocalUser(created.user.id, admin)).toEqual({ ok: true });
		expect((await listLocalUsersPage(domainId)).users).toEqual([]);
		expect(await listTotpEnrollments(domainId)).toEqual([]);
		expect(await deleteLocalUser(created.user.id, admin)).toMatchObject({
			ok: false,
			code: 'not_found'
		});
	});
});
