import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from './open.js';
import { DataFolderLockedError, LOCK_FILE } from './folder-lock.js';

let dataDir: string;
beforeEach(() => {
	dataDir = mkdtempSync(path.join(tmpdir(), 'postern-open-'));
});
afterEach(() => {
	rmSync(dataDir, { recursive: true, force: true });
});

describe('openDatabase on an embedded data folder', () => {
	it('is refused while another live process holds the folder', async () => {
		// the parent of this test process: alive, and not us
		writeFileSync(path.join(dataDir, LOCK_FILE), `${process.ppid}\n`);
		await expect(openDatabase({ kind: 'pglite', dataDir })).rejects.toThrow(DataFolderLockedError);
		// refused before PGlite touched the folder
		expect(existsSync(path.join(dataDir, 'pglite'))).toBe(false);
	});

	it('holds the folder lock while open, and close releases it', async () => {
		const database = await openDatabase({ kind: 'pglite', dataDir });
		try {
			expect(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
		} finally {
			await database.close();
		}
		expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
		// initdb on disk plus the migrations: slow on a busy machine
	}, 90_000);
});
