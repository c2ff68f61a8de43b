import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Cookies } from '@sveltejs/kit';
import { freshTestDatabase } from '../testing/db.js';
import { setUpAccounts, ADMIN } from '../testing/accounts.js';
import { db, tables, type Database } from '../db/index.js';
import {
	ABSOLUTE_TIMEOUT_MS,
	IDLE_TIMEOUT_MS,
	createSession,
	deleteSessionCookie,
	invalidateAdminSessions,
	invalidateSession,
	sessionCookieName,
	setSessionCookie,
	validateSessionToken
} from './session.js';
import { changeOwnPassword } from './account.js';

const MINUTE = 60_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

async function createdAt(token: string) {
	const [row] = await db()
		.select()
		.from(tables.adminSessions)
		.where(eq(tables.adminSessions.tokenHash, sha256(token)));
	return row.createdAt;
}

describe('sessions', () => {
	let database: Database;
	beforeEach(async () => {
		database = await freshTestDatabase();
	});
	afterEach(async () => {
		await database.close();
	});

	it('hand out 256 random bits and store only their SHA-256', async () => {
		const { admin } = await setUpAccounts();
		const token = await createSession(admin.id, { ip: '192.0.2.1', userAgent: 'x'.repeat(1000) });
		expect(Buffer.from(token, 'base64url')).toHaveLength(32);
		expect(await createSession(admin.id, {})).not.toBe(token);
		const rows = await db().select().from(tables.adminSessions);
		expect(rows.map((r) => r.tokenHash)).toContain(sha256(token));
		for (const row of rows) {
			expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
			expect(row.tokenHash).not.toContain(token);
		}
		expect(rows.find((r) => r.tokenHash === sha256(token))?.userAgent).toHaveLength(300);
	});

	it('return the admin for a valid token and nothing for an unknown one', async () => {
		const { admin } = await setUpAccounts();
		const token = await createSession(admin.id, {});
		expect(await validateSessionToken(token)).toEqual({
			id: admin.id,
			username: ADMIN.username,
			role: 'admin',
			email: null
		});
		expect(await validateSessionToken(sha256(token))).toBeNull();
		expect(await validateSessionToken(token.slice(0, -1))).toBeNull();
	});

	it('end after 30 minutes idle', async () => {
		const { admin } = await setUpAccounts();
		const token = await createSession(admin.id, {});
		const start = await createdAt(token);
		expect(
			await validateSessionToken(token, later(start, IDLE_TIMEOUT_MS - MINUTE))
		).not.toBeNull();
		// that request counted as activity: the idle clock starts again from it
		const seen = later(start, IDLE_TIMEOUT_MS - MINUTE);
		expect(await validateSessionToken(token, later(seen, IDLE_TIMEOUT_MS - MINUTE))).not.toBeNull();
		const lastSeen = later(seen, IDLE_TIMEOUT_MS - MINUTE);
		expect(await validateSessionToken(token, later(lastSeen, IDLE_TIMEOUT_MS + 1000))).toBeNull();
		// and it is gone for good, even at an earlier time
		expect(await validateSessionToken(token, later(lastSeen, MINUTE))).toBeNull();
		expect(await db().select().from(tables.adminSessions)).toHaveLength(0);
	});

	it('end 12 hours after sign-in however active they are', async () => {
		const { admin } = await setUpAccounts();
		const token = await createSession(admin.id, {});
		const start = await createdAt(token);
		let now = start;
		while (now.getTime() - start.getTime() < ABSOLUTE_TIMEOUT_MS - 25 * MINUTE) {
			now = later(now, 25 * MINUTE);
			expect(await validateSessionToken(token, now)).not.toBeNull();
		}
		expect(await validateSessionToken(token, later(start, ABSOLUTE_TIMEOUT_MS + 1000))).toBeNull();
	});

	it('end when invalidated, alone or all of one admin', async () => {
		const { admin, support } = await setUpAccounts();
		const one = await createSession(admin.id, {});
		const two = await createSession(admin.id, {});
		const three = await createSession(admin.id, {});
		const theirs = await createSession(support.id, {});
		await invalidateSession(one);
		expect(await validateSessionToken(one)).toBeNull();
		expect(await validateSessionToken(two)).not.toBeNull();
		await invalidateAdminSessions(admin.id, three);
		expect(await validateSessionToken(two)).toBeNull();
		expect(await validateSessionToken(three)).not.toBeNull();
		await invalidateAdminSessions(admin.id);
		expect(await validateSessionToken(three)).toBeNull();
		expect(await validateSessionToken(theirs)).not.toBeNull();
	});

	it('end when the account is disabled', async () => {
		const { admin } = await setUpAccounts();
		const token = await createSession(admin.id, {});
		await db()
			.update(tables.admins)
			.set({ disabledAt: new Date() })
			.where(eq(tables.admins.id, admin.id));
		expect(await validateSessionToken(token)).toBeNull();
	});

	it('of the same admin all end when the password changes, except the new one', async () => {
		const { admin } = await setUpAccounts();
		const laptop = await createSession(admin.id, {});
		const phone = await createSession(admin.id, {});
		const fresh = await changeOwnPassword({
			adminId: admin.id,
			username: ADMIN.username,
			newPassword: 'a brand new long passphrase'
		});
		expect(await validateSessionToken(laptop)).toBeNull();
		expect(await validateSessionToken(phone)).toBeNull();
		expect(await validateSessionToken(fresh)).not.toBeNull();
		const audit = await db().select().from(tables.auditLog);
		expect(audit.map((a) => a.action)).toContain('account.password_changed');
		expect(JSON.stringify(audit)).not.toContain('a brand new long passphrase');
	});
});

describe('session cookie', () => {
	function fakeCookies() {
		const calls: { op: string; name: string; value?: string; opts: object }[] = [];
		const cookies = {
			set: (name: string, value: string, opts: object) =>
				calls.push({ op: 'set', name, value, opts }),
			delete: (name: string, opts: object) => calls.push({ op: 'delete', name, opts })
		} as unknown as Cookies;
		return { cookies, calls };
	}

	it('is HttpOnly, SameSite=Lax, Path=/ and not Secure over http', () => {
		const { cookies, calls } = fakeCookies();
		setSessionCookie(cookies, 'tok', false);
		expect(calls[0]).toMatchObject({
			name: 'postern_admin',
			value: 'tok',
			opts: { path: '/', httpOnly: true, sameSite: 'lax', secure: false }
		});
	});

	it('is Secure with the __Host- prefix over https', () => {
		const { cookies, calls } = fakeCookies();
		expect(sessionCookieName(true)).toBe('__Host-postern_admin');
		setSessionCookie(cookies, 'tok', true);
		deleteSessionCookie(cookies, true);
		expect(calls[0]).toMatchObject({
			name: '__Host-postern_admin',
			opts: { path: '/', httpOnly: true, sameSite: 'lax', secure: true }
		});
		expect(calls[0].opts).not.toHaveProperty('domain');
		expect(calls[1]).toMatchObject({
			op: 'delete',
			name: '__Host-postern_admin',
			opts: { path: '/' }
		});
	});
});
