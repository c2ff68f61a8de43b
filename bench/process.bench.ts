/**
 * The built app as a process, on the embedded database: cold start to the first 200 of /healthz on an
 * existing data folder (a first start creates and migrates it and is not timed), and the resident memory once
 * it has served and settled (idle RSS, from /proc). Three starts; the figure is the median start and the
 * largest idle RSS. Targets are absolute budgets (1.5 s, 300 MB): the ratio is ours ÷ budget. Runs the
 * build bench/build.ts makes at the start of the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeResults, percentile, type BenchResult } from './results.js';

const root = path.resolve(import.meta.dirname, '..');
const STARTS = 3;
const START_BUDGET_S = 1.5;
const RSS_BUDGET_MB = 300;
const SETTLE_MS = 5_000;
const dataDir = mkdtempSync(path.join(tmpdir(), 'postern-bench-process-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
		server.on('error', reject);
	});
}

async function start(): Promise<{ child: ChildProcess; port: number; startedAt: number }> {
	const port = await freePort();
	const startedAt = performance.now();
	const child = spawn(process.execPath, [path.join(root, 'server.js')], {
		cwd: root,
		env: {
			...process.env,
			NODE_ENV: 'production',
			HOST: '127.0.0.1',
			PORT: String(port),
			POSTERN_DATA_DIR: dataDir
		},
		stdio: 'ignore'
	});
	return { child, port, startedAt };
}

async function untilHealthy(port: number, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			const response = await fetch(`http://127.0.0.1:${port}/healthz`);
			if (response.status === 200) return;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) throw new Error('the app did not become healthy');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

function rssMb(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function stop(child: ChildProcess) {
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	await exited;
}

describe('the app as a process', () => {
	it(
		'starts on an existing data folder within 1.5 s and idles under 300 MB',
		async () => {
			expect(existsSync(path.join(root, 'build', 'handler.js')), 'run npm run build first').toBe(
				true
			);
			// the first start creates the folder, the key and the schema: not a cold start of an installed app
			const first = await start();
			await untilHealthy(first.port);
			await stop(first.child);

			const starts: number[] = [];
			const idle: number[] = [];
			for (let i = 0; i < STARTS; i++) {
				const run = await start();
				await untilHealthy(run.port);
				starts.push((performance.now() - run.startedAt) / 1000);
				// a few pages served, then left alone
				for (const page of ['/login', '/admin/login', '/healthz'])
					await fetch(`http://127.0.0.1:${run.port}${page}`);
				await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
				idle.push(rssMb(run.child.pid!));
				await stop(run.child);
			}
			const startS = percentile(starts, 50);
			const rss = Math.max(...idle);
			const results: BenchResult[] = [
				{
					name: `cold start to first 200 (existing data folder, embedded database), s, median of ${STARTS}, vs a ${START_BUDGET_S} s budget`,
					ours: Number(startS.toFixed(2)),
					baseline: START_BUDGET_S,
					unit: 's',
					ratio: Number((startS / START_BUDGET_S).toFixed(3)),
					target: 1,
					better: 'lower'
				},
				{
					name: `idle RSS after serving (embedded database), MB, largest of ${STARTS}, vs a ${RSS_BUDGET_MB} MB budget`,
					ours: Number(rss.toFixed(0)),
					baseline: RSS_BUDGET_MB,
					unit: 'MB',
					ratio: Number((rss / RSS_BUDGET_MB).toFixed(3)),
					target: 1,
					better: 'lower'
				}
			];
			console.log(
				`starts ${starts.map((s) => s.toFixed(2)).join(', ')} s; idle RSS ${idle.map((m) => m.toFixed(0)).join(', ')} MB`
			);
			mergeResults(results);
			for (const r of results) expect(r.ratio, r.name).toBeLessThanOrEqual(r.target);
		},
		5 * 60_000
	);
});
