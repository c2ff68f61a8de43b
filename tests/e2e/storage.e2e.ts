/**
 * What a Postern leaves on disk, read after the server has stopped (only one process may open a PGlite
 * folder): argon2id hashes, no secret in clear anywhere in the database, a 0600 key file; and what it says
 * when started with the wrong key or a bad setting.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { PGlite } from '@electric-sql/pglite';
import { ADMIN, ARGON2ID_PREFIX, SUPPORT } from './support/accounts.js';
import { send, setUpOverHttp, signInOverHttp } from './support/http.js';
import { newDataDir, startPostern, startPosternExpectingFailure } from './support/postern.js';

test.describe.configure({ mode: 'serial' });

let dataDir = '';
let codes: string[] = [];
let token = '';

test('a server is set up and used, then stopped', async () => {
	dataDir = newDataDir('storage');
	const server = await startPostern('storage', { dataDir });
	try {
		({ codes } = await setUpOverHttp(server));
		expect(codes).toHaveLength(10);
		({ token } = await signInOverHttp(server.url, ADMIN));
		expect((await send(`${server.url}/admin`, { cookie: `postern_admin=${token}` })).status).toBe(
			200
		);
	} finally {
		await server.stop();
	}
});

test('the database holds argon2id hashes and no secret in clear', async () => {
	const db = await PGlite.create(path.join(dataDir, 'pglite'));
	try {
		const admins = await db.query<{ username: string; password_hash: string }>(
			'select username, password_hash from admins order by role'
		);
		expect(admins.rows.map((r) => r.username)).toEqual([ADMIN.username, SUPPORT.username]);
		for (const row of admins.rows) expect(row.password_hash.startsWith(ARGON2ID_PREFIX)).toBe(true);

		const recovery = await db.query<{ code_hash: string }>('select code_hash from recovery_codes');
		expect(recovery.rows).toHaveLength(10);
		for (const row of recovery.rows) expect(row.code_hash.startsWith(ARGON2ID_PREFIX)).toBe(true);

		const sessions = await db.query<{ token_hash: string }>(
			'select token_hash from admin_sessions'
		);
		expect(sessions.rows.map((r) => r.token_hash)).toContain(
			createHash('sha256').update(token).digest('hex')
		);

		// every row of every table, as text: none of the secrets appears
		const tables = await db.query<{ name: string }>(
			"select quote_ident(schemaname) || '.' || quote_ident(tablename) as name from pg_tables where schemaname not in ('pg_catalog', 'information_schema')"
		);
		let dump = '';
		for (const { name } of tables.rows) {
			const rows = await db.query<{ row: string }>(
				`select row_to_json(t)::text as row from ${name} t`
			);
			dump += rows.rows.map((r) => r.row).join('\n');
		}
		expect(dump).toContain(ADMIN.username);
		const secrets = [
			ADMIN.password,
			SUPPORT.password,
			token,
			...codes,
			...codes.map((c) => c.replace(/-/g, ''))
		];
		for (const secret of secrets) expect(dump).not.toContain(secret);
	} finally {
		await db.close();
	}
});

test('the generated key file is readable by its owner only', () => {
	expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
});

test('a wrong POSTERN_SECRET_KEY stops start-up with a clear message', async () => {
	const { code, output } = await startPosternExpectingFailure('storage-wrong-key', {
		dataDir,
		env: { POSTERN_SECRET_KEY: randomBytes(32).toString('base64') }
	});
	expect(code).toBe(1);
	expect(output).toContain(
		"Postern could not start: The secret key (POSTERN_SECRET_KEY) is not the key this database's secrets were sealed with."
	);
});

test('a bad setting stops start-up naming the variable', async () => {
	const { code, output } = await startPosternExpectingFailure('storage-bad-env', {
		dataDir,
		env: { POSTERN_TRUST_PROXY: 'maybe' }
	});
	expect(code).not.toBe(0);
	expect(output).toContain('POSTERN_TRUST_PROXY must be true or false (got "maybe")');
});

test('a key file others can read stops start-up', async () => {
	const file = path.join(dataDir, 'secret.key');
	chmodSync(file, 0o644);
	try {
		const { code, output } = await startPosternExpectingFailure('storage-open-key', { dataDir });
		expect(code).toBe(1);
		expect(output).toContain(
			`${file} is readable by other users (mode 644); run: chmod 600 ${file}`
		);
	} finally {
		chmodSync(file, 0o600);
	}
});

test('with its own key the data is all there after a restart', async () => {
	const server = await startPostern('storage-restart', { dataDir });
	try {
		expect((await send(`${server.url}/admin`, { cookie: `postern_admin=${token}` })).status).toBe(
			200
		);
		await signInOverHttp(server.url, SUPPORT);
	} finally {
		await server.stop();
	}
});
