/**
 * One process per embedded data folder: a second server started on a folder another one is using refuses to
 * start within seconds, naming the folder and the PID that holds it; a clean stop releases the folder, and
 * the lock of a process that was killed is taken over.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { newDataDir, startPostern, startPosternExpectingFailure } from './support/postern.js';

test.describe.configure({ mode: 'serial' });

const lockFile = (dataDir: string) => path.join(dataDir, 'postern.lock');

test('a second server on the same data folder refuses to start, naming the folder and the PID', async () => {
	const dataDir = newDataDir('one-process');
	const first = await startPostern('one-process-first', { dataDir });
	try {
		const started = Date.now();
		const second = await startPosternExpectingFailure('one-process-second', { dataDir });
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(second.code).toBe(1);
		expect(second.output).toContain(
			`Postern could not start: The data folder ${dataDir} is in use by another Postern process (PID ${first.pid}).`
		);
		// the first one is unharmed
		expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
	} finally {
		await first.stop();
	}
	// a clean stop releases the folder, and the next server starts on it
	expect(existsSync(lockFile(dataDir))).toBe(false);
	const next = await startPostern('one-process-next', { dataDir });
	await next.stop();
});

test('the lock of a killed server is taken over by the next one', async () => {
	const dataDir = newDataDir('one-process-killed');
	const killed = await startPostern('one-process-killed', { dataDir });
	process.kill(killed.pid, 'SIGKILL');
	await killed.stop();
	// kill -9 left the lock behind, naming a PID that is gone
	expect(existsSync(lockFile(dataDir))).toBe(true);
	const next = await startPostern('one-process-after-kill', { dataDir });
	try {
		expect((await fetch(`${next.url}/healthz`)).status).toBe(200);
	} finally {
		await next.stop();
	}
});
