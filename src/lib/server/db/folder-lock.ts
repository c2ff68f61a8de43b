/**
 * One process per embedded (PGlite) data folder. PGlite is a single-process database: two servers opening one
 * folder each run happily on their own copy of the truth and corrupt each other's writes. The first process
 * creates `<data folder>/postern.lock` exclusively (O_EXCL) with its PID; a second refuses to start and says
 * who holds the folder. The lock goes when the process exits; a lock left by a process that died (kill -9, a
 * crash, a power cut) names a PID that is gone and is taken over.
 *
 * Only built-in modules here: the test runs this file in a child process of its own.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'postern.lock';

export class DataFolderLockedError extends Error {}

/**
 * Locks this process holds, by file: the PID written and how many holders share it. Taking a lock this
 * process already holds just counts (the dev server re-runs start-up after a reload without closing the old
 * database first); the file goes when the last holder releases it. Kept on globalThis because a reload may
 * evaluate this module afresh while the lock it took before is still held.
 */
const REGISTRY = Symbol.for('postern.folder-locks');
type Holder = { [REGISTRY]?: Map<string, { pid: number; count: number }> };
const held = ((globalThis as Holder)[REGISTRY] ??= new Map());

export interface DataFolderLock {
	file: string;
	release(): void;
}

/** True while a process with this PID exists (EPERM: it exists but belongs to another user). */
function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function holderOf(file: string): number | null {
	try {
		const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
		return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
	} catch {
		return null;
	}
}

/**
 * Takes the folder's lock for this process (`pid` is for tests that pose as another process), or throws
 * DataFolderLockedError naming the folder and the PID that holds it.
 */
export function lockDataFolder(dataDir: string, { pid = process.pid } = {}): DataFolderLock {
	mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const file = path.resolve(dataDir, LOCK_FILE);
	const ours = held.get(file);
	if (ours && ours.pid === pid && holderOf(file) === pid) {
		ours.count++;
		return holding(file, pid);
	}
	// Two rounds: the second follows the removal of a stale lock; losing that race to another starter is an
	// ordinary "held by" refusal.
	for (let round = 0; ; round++) {
		try {
			writeFileSync(file, `${pid}\n`, { flag: 'wx', mode: 0o600 });
			held.set(file, { pid, count: 1 });
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		const holder = holderOf(file);
		// Our own PID in a file this process did not take: a previous life of this PID (containers restart
		// as PID 1), so stale like a dead one.
		const inUse = holder !== null && holder !== pid && isRunning(holder);
		if (inUse || round > 0)
			throw new DataFolderLockedError(
				`The data folder ${dataDir} is in use by another Postern process (PID ${holder ?? 'unknown'}). ` +
					'Only one process may open an embedded database; stop that one first, or use PostgreSQL ' +
					`(DATABASE_URL) to run several instances. If no Postern is running, delete ${file}.`
			);
		rmSync(file, { force: true });
	}
	return holding(file, pid);
}

/** One holder's handle: released by hand (clean shutdown) or, failing that, when the process exits. */
function holding(file: string, pid: number): DataFolderLock {
	let released = false;
	const release = () => {
		if (released) return;
		released = true;
		process.removeListener('exit', release);
		const entry = held.get(file);
		if (!entry || entry.pid !== pid || --entry.count > 0) return;
		held.delete(file);
		// Only our own lock: after a takeover the file may already be another process's.
		if (holderOf(file) === pid) rmSync(file, { force: true });
	};
	process.on('exit', release);
	return { file, release };
}
