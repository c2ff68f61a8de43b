import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataFolderLockedError, LOCK_FILE, lockDataFolder } from './folder-lock.js';

let dataDir: string;
beforeEach(() => {
	dataDir = mkdtempSync(path.join(tmpdir(), 'postern-lock-'));
});
afterEach(() => {
	rmSync(dataDir, { recursive: true, force: true });
});

const lockFile = () => path.join(dataDir, LOCK_FILE);

/** A PID that surely belonged to a process which has exited. */
function deadPid(): number {
	const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
	return Number(child.stdout.toString());
}

describe('lockDataFolder', () => {
	it('creates the lock file holding this PID, and release removes it', () => {
		const lock = lockDataFolder(dataDir);
		expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
		lock.release();
		expect(existsSync(lockFile())).toBe(false);
		// released twice is harmless
		lock.release();
	});

	it('creates the data folder when it does not exist yet', () => {
		const fresh = path.join(dataDir, 'not', 'yet');
		const lock = lockDataFolder(fresh);
		expect(existsSync(path.join(fresh, LOCK_FILE))).toBe(true);
		lock.release();
	});

	it('refuses while another live process holds it, naming the folder and the PID', () => {
		// the parent of this test process is alive and is not us
		const holder = process.ppid;
		writeFileSync(lockFile(), `${holder}\n`);
		let error: unknown;
		try {
			lockDataFolder(dataDir);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(DataFolderLockedError);
		const message = (error as Error).message;
		expect(message).toContain(dataDir);
		expect(message).toContain(`PID ${holder}`);
		expect(message).toContain('DATABASE_URL');
		// the holder's lock is left alone
		expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(holder));
	});

	it('a second lock in the same folder is refused until the first is released', () => {
		const first = lockDataFolder(dataDir, { pid: process.ppid });
		expect(() => lockDataFolder(dataDir)).toThrow(DataFolderLockedError);
		first.release();
		const second = lockDataFolder(dataDir);
		second.release();
	});

	it('the same process may take it again (a dev server re-running start-up after a reload)', () => {
		const first = lockDataFolder(dataDir);
		const again = lockDataFolder(dataDir);
		first.release();
		// still held by the second holder in this process
		expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
		expect(() => lockDataFolder(dataDir, { pid: process.ppid })).toThrow(DataFolderLockedError);
		again.release();
		expect(existsSync(lockFile())).toBe(false);
	});

	it('takes over a stale lock whose PID has exited', () => {
		const gone = deadPid();
		writeFileSync(lockFile(), `${gone}\n`);
		const lock = lockDataFolder(dataDir);
		expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
		lock.release();
	});

	it('takes over a lock file that holds no PID (a crash while writing it), or our own PID', () => {
		writeFileSync(lockFile(), '');
		lockDataFolder(dataDir).release();
		// a container restart gives the new process the PID of the old one (often 1)
		writeFileSync(lockFile(), `${process.pid}\n`);
		const lock = lockDataFolder(dataDir);
		expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
		lock.release();
	});

	it('release leaves a lock alone that is no longer ours', () => {
		const lock = lockDataFolder(dataDir);
		writeFileSync(lockFile(), `${process.ppid}\n`);
		lock.release();
		expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.ppid));
	});

	it('is released when the process exits', () => {
		const moduleUrl = new URL('./folder-lock.ts', import.meta.url).href;
		// a child that takes the lock and exits without releasing it
		const child = spawnSync(
			process.execPath,
			[
				'--experimental-strip-types',
				'--input-type=module',
				'-e',
				`const { lockDataFolder } = await import(${JSON.stringify(moduleUrl)});
				 lockDataFolder(${JSON.stringify(dataDir)});
				 console.log('locked');`
			],
			{ encoding: 'utf8' }
		);
		expect(child.stderr).toBe('');
		expect(child.stdout.trim()).toBe('locked');
		expect(existsSync(lockFile())).toBe(false);
	});
});
