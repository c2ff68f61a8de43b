import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from './testing/db.js';
import { db, tables, type Database } from './db/index.js';
import { listAuditPage, recordAudit, redactAuditDetail } from './audit.js';

const SECRET = 'S3cr3t-marker-value';
const SECRET_NAMES = [
	'password',
	'newPassword',
	'currentPassword',
	'passwordHash',
	'passphrase',
	'secret',
	'clientSecret',
	'token',
	'accessToken',
	'refresh_token',
	'code',
	'recoveryCode',
	'otpCode',
	'key',
	'apiKey',
	'secretKey',
	'hash',
	'credential',
	'credentials',
	'cookie',
	'Cookie',
	'authorization',
	'Authorisation'
];

/** Every property name anywhere in a value, at any depth. */
function allNames(value: unknown): string[] {
	if (Array.isArray(value)) return value.flatMap(allNames);
	if (value && typeof value === 'object')
		return Object.entries(value).flatMap(([name, v]) => [name, ...allNames(v)]);
	return [];
}

describe('redactAuditDetail', () => {
	it('drops every field named like a secret, at any depth, and keeps the rest', () => {
		const secrets = Object.fromEntries(SECRET_NAMES.map((n) => [n, SECRET]));
		const detail = {
			username: 'alice',
			count: 3,
			ok: true,
			nothing: null,
			...secrets,
			server: { host: 'smtp.example.com', port: 587, auth: { user: 'mailer', ...secrets } },
			recipients: ['a@example.com', 'b@example.com'],
			attempts: [{ at: 1, ...secrets }, { nested: [{ ...secrets, fine: 'yes' }] }]
		};
		const out = redactAuditDetail(detail);
		expect(JSON.stringify(out)).not.toContain(SECRET);
		for (const name of allNames(out)) expect(SECRET_NAMES, name).not.toContain(name);
		expect(out).toEqual({
			username: 'alice',
			count: 3,
			ok: true,
			nothing: null,
			server: { host: 'smtp.example.com', port: 587, auth: { user: 'mailer' } },
			recipients: ['a@example.com', 'b@example.com'],
			attempts: [{ at: 1 }, { nested: [{ fine: 'yes' }] }]
		});
	});

	it('does not change what it was given', () => {
		const detail = { password: SECRET, inner: { token: SECRET } };
		redactAuditDetail(detail);
		expect(detail).toEqual({ password: SECRET, inner: { token: SECRET } });
	});
});

describe('audit log', () => {
	let database: Database;
	beforeEach(async () => {
		database = await freshTestDatabase();
	});
	afterEach(async () => {
		await database.close();
	});

	it('stores who, what, outcome and IP, and never a secret from the detail', async () => {
		await recordAudit({
			actor: 'alice',
			action: 'account.password_changed',
			ip: '192.0.2.1',
			detail: { newPassword: SECRET, sessions: { token: SECRET, ended: 2 } }
		});
		const [row] = await db().select().from(tables.auditLog);
		expect(row).toMatchObject({
			actor: 'alice',
			action: 'account.password_changed',
			outcome: 'ok',
			ip: '192.0.2.1',
			detail: { sessions: { ended: 2 } }
		});
		expect(JSON.stringify(row)).not.toContain(SECRET);
	});

	it('lists newest first, in pages by keyset, forwards and back', async () => {
		for (let i = 0; i < 7; i++)
			await recordAudit({
				actor: `user${i}`,
				action: 'auth.sign_in',
				outcome: i % 2 ? 'failed' : 'ok'
			});
		const first = await listAuditPage({ pageSize: 3 });
		expect(first.rows.map((r) => r.actor)).toEqual(['user6', 'user5', 'user4']);
		expect(first.newer).toBeNull();
		const second = await listAuditPage({ pageSize: 3, olderThan: first.older });
		expect(second.rows.map((r) => r.actor)).toEqual(['user3', 'user2', 'user1']);
		const third = await listAuditPage({ pageSize: 3, olderThan: second.older });
		expect(third.rows.map((r) => r.actor)).toEqual(['user0']);
		expect(third.older).toBeNull();
		// and back: the newer pages, through their cursors, are the ones we came from
		const back = await listAuditPage({ pageSize: 3, newerThan: third.newer });
		expect(back.rows.map((r) => r.actor)).toEqual(['user3', 'user2', 'user1']);
		const top = await listAuditPage({ pageSize: 3, newerThan: back.newer });
		expect(top.rows.map((r) => r.actor)).toEqual(['user6', 'user5', 'user4']);
		expect(top.newer).toBeNull();
		expect(top.older).toBe(first.older);
	});

	it('is empty with no cursors when nothing was recorded', async () => {
		expect(await listAuditPage()).toEqual({ rows: [], older: null, newer: null });
	});
});
