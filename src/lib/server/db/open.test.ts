import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
	it('holds the folder lock while open: a second open is refused, and close releases it', async () => {
		const database = await openDatabase({ kind: 'pglite', dataDir });
		try {
			expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);
			await expect(openDatabase({ kind: 'pglite', dataDir })).rejects.toThrow(
				DataFolderLockedError
			);
		} finally {
			await database.close();
		}
		expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
		const again = await openDatabase({ kind: 'pglite', dataDir });
		await again.close();
	});
});
