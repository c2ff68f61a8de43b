import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import {
	SETUP_CODE_FILE,
	eraseSetupCode,
	findSetupCodeProblem,
	isSetupCodeRight,
	newSetupCode,
	prepareSetupCode,
	setupCodeBanner
} from './setup-code.js';

let database: Database;
let dataDir: string;
beforeEach(async () => {
	database = await freshTestDatabase();
	dataDir = mkdtempSync(path.join(tmpdir(), 'postern-setup-code-'));
});
afterEach(async () => {
	await database.close();
	rmSync(dataDir, { recursive: true, force: true });
});

const CODE_SHAPE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

describe('newSetupCode', () => {
	it('is four groups of four Crockford base32 characters, different every time', () => {
		const codes = new Set(Array.from({ length: 200 }, newSetupCode));
		expect(codes.size).toBe(200);
		for (const code of codes) expect(code).toMatch(CODE_SHAPE);
	});
});

describe('prepareSetupCode', () => {
	it('keeps the code in a 0600 file in the data folder and sealed in the database', async () => {
		const code = await prepareSetupCode(dataDir);
		expect(code).toMatch(CODE_SHAPE);
		const file = path.join(dataDir, SETUP_CODE_FILE);
		expect(readFileSync(file, 'utf8').trim()).toBe(code);
		expect(statSync(file).mode & 0o777).toBe(0o600);
		const rows = await db()
			.select()
			.from(tables.appMeta)
			.where(eq(tables.appMeta.key, 'setup_code'));
		expect(rows).toHaveLength(1);
		expect(rows[0].value.startsWith('v1.')).toBe(true);
		expect(rows[0].value).not.toContain(code);
		expect(rows[0].value).not.toContain(code.replace(/-/g, ''));
	});

	it('gives every instance on the same database the same code (each with its own data folder)', async () => {
		const other = mkdtempSync(path.join(tmpdir(), 'postern-setup-code-other-'));
		try {
			const [first, second] = await Promise.all([
				prepareSetupCode(dataDir),
				prepareSetupCode(other)
			]);
			expect(second).toBe(first);
			expect(readFileSync(path.join(other, SETUP_CODE_FILE), 'utf8').trim()).toBe(first);
			// a restart keeps the code it printed before
			expect(await prepareSetupCode(dataDir)).toBe(first);
		} finally {
			rmSync(other, { recursive: true, force: true });
		}
	});

	it('tightens a setup-code file others could read', async () => {
		writeFileSync(path.join(dataDir, SETUP_CODE_FILE), 'old\n', { mode: 0o644 });
		const code = await prepareSetupCode(dataDir);
		const file = path.join(dataDir, SETUP_CODE_FILE);
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(readFileSync(file, 'utf8').trim()).toBe(code);
	});

	it('prints the code in a banner naming the file', async () => {
		const print = vi.fn();
		const code = await prepareSetupCode(dataDir, print);
		expect(print).toHaveBeenCalledTimes(1);
		const text = print.mock.calls[0][0] as string;
		expect(text).toBe(setupCodeBanner(code, path.join(dataDir, SETUP_CODE_FILE)));
		expect(text).toContain(`Postern first-run setup code: ${code}`);
		expect(text).toContain(path.join(dataDir, SETUP_CODE_FILE));
	});
});

describe('a data folder that cannot be written (read-only disk, PostgreSQL deployments)', () => {
	it('still issues, prints and accepts the code (the database holds it), and erasing does not throw', async () => {
		// a plain file where the folder should be: nothing can be created under it
		const blocked = path.join(dataDir, 'not-a-folder');
		writeFileSync(blocked, '');
		const print = vi.fn();
		const code = await prepareSetupCode(blocked, print);
		expect(await isSetupCodeRight(code)).toBe(true);
		const text = print.mock.calls[0][0] as string;
		expect(text).toContain(`Postern first-run setup code: ${code}`);
		expect(text).toContain(`Could not write ${path.join(blocked, SETUP_CODE_FILE)}`);
		await expect(eraseSetupCode(blocked)).resolves.toBeUndefined();
		expect(await isSetupCodeRight(code)).toBe(false);
	});
});

describe('isSetupCodeRight', () => {
	it('accepts the code as printed, in lower case, without dashes or with spaces', async () => {
		const code = await prepareSetupCode(dataDir);
		for (const typed of [
			code,
			code.toLowerCase(),
			code.replace(/-/g, ''),
			` ${code.replace(/-/g, ' ')} `
		])
			expect(await isSetupCodeRight(typed), typed).toBe(true);
	});

	it('refuses another code, an empty one and any code when none was issued', async () => {
		expect(await isSetupCodeRight(newSetupCode())).toBe(false);
		const code = await prepareSetupCode(dataDir);
		const wrong = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
		expect(await isSetupCodeRight(wrong)).toBe(false);
		expect(await isSetupCodeRight('')).toBe(false);
		expect(await isSetupCodeRight(`${code}0`)).toBe(false);
	});
});

describe('eraseSetupCode', () => {
	it('removes the file and the row, after which the old code no longer works', async () => {
		const code = await prepareSetupCode(dataDir);
		await eraseSetupCode(dataDir);
		expect(existsSync(path.join(dataDir, SETUP_CODE_FILE))).toBe(false);
		expect(
			await db().select().from(tables.appMeta).where(eq(tables.appMeta.key, 'setup_code'))
		).toHaveLength(0);
		expect(await isSetupCodeRight(code)).toBe(false);
		// nothing left to erase is fine (a second instance, or a restart after setup)
		await expect(eraseSetupCode(dataDir)).resolves.toBeUndefined();
	});
});

describe('findSetupCodeProblem', () => {
	it('asks for a missing code, refuses a wrong one, passes the right one', async () => {
		const code = await prepareSetupCode(dataDir);
		expect(await findSetupCodeProblem('')).toMatch(/^Enter the setup code/);
		expect(await findSetupCodeProblem('   ')).toMatch(/^Enter the setup code/);
		expect(await findSetupCodeProblem(newSetupCode())).toMatch(/^That is not the setup code/);
		expect(await findSetupCodeProblem(code)).toBeNull();
	});
});
