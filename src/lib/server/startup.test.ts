import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from './testing/db.js';
import { db, tables, type Database } from './db/index.js';
import { useSecretKey, SecretKeyError } from './secrets.js';
import { prepareFirstRun, verifySecretKey } from './startup.js';
import { isSetupCodeRight } from './auth/setup-code.js';
import { setUpAccounts } from './testing/accounts.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

describe('verifySecretKey', () => {
	it('records a sealed check value on first start, then accepts the same key', async () => {
		useSecretKey(Buffer.alloc(32, 3));
		await verifySecretKey('POSTERN_SECRET_KEY');
		const rows = await db().select().from(tables.appMeta);
		expect(rows).toHaveLength(1);
		expect(rows[0].value.startsWith('v1.')).toBe(true);
		expect(rows[0].value).not.toContain('postern secret key check');
		await expect(verifySecretKey('POSTERN_SECRET_KEY')).resolves.toBeUndefined();
		expect(await db().select().from(tables.appMeta)).toHaveLength(1);
	});

	it('stops start-up with a clear error naming the key source when the key is another', async () => {
		useSecretKey(Buffer.alloc(32, 3));
		await verifySecretKey('POSTERN_SECRET_KEY');
		useSecretKey(Buffer.alloc(32, 4));
		const attempt = verifySecretKey('/srv/postern/data/secret.key');
		await expect(attempt).rejects.toThrow(SecretKeyError);
		await expect(verifySecretKey('/srv/postern/data/secret.key')).rejects.toThrow(
			/^The secret key \(\/srv\/postern\/data\/secret\.key\) is not the key this database's secrets were sealed with\./
		);
	});

	it('treats a damaged check value as a wrong key, not as garbage', async () => {
		await db().insert(tables.appMeta).values({ key: 'secret_key_check', value: 'v1.x.y.z' });
		await expect(verifySecretKey('POSTERN_SECRET_KEY')).rejects.toThrow(/is not the key/);
	});
});

describe('prepareFirstRun', () => {
	let dataDir: string;
	beforeEach(() => {
		dataDir = mkdtempSync(path.join(tmpdir(), 'postern-first-run-'));
	});
	afterEach(() => {
		rmSync(dataDir, { recursive: true, force: true });
	});

	it('while no account exists: prints the setup code and keeps it in the data folder', async () => {
		const printed: string[] = [];
		await prepareFirstRun(dataDir, (text) => printed.push(text));
		const code = readFileSync(path.join(dataDir, 'setup-code'), 'utf8').trim();
		expect(printed.join('\n')).toContain(`Postern first-run setup code: ${code}`);
		expect(await isSetupCodeRight(code)).toBe(true);
	});

	it('once the accounts exist: prints nothing and erases a leftover code', async () => {
		await prepareFirstRun(dataDir, () => {});
		const code = readFileSync(path.join(dataDir, 'setup-code'), 'utf8').trim();
		await setUpAccounts();
		const printed: string[] = [];
		await prepareFirstRun(dataDir, (text) => printed.push(text));
		expect(printed).toEqual([]);
		expect(existsSync(path.join(dataDir, 'setup-code'))).toBe(false);
		expect(await isSetupCodeRight(code)).toBe(false);
	});
});
