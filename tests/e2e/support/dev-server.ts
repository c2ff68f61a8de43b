/**
 * `npm run dev:mock` for a spec: the Vite dev server with POSTERN_MOCK=true on a free port, started as the vite
 * binary itself (`npx vite` would leave its child running when killed) in a process group of its own, stopped
 * with the whole group.
 *
 * Where it runs: in CI (a clean, single-user checkout) the repository itself. On a shared machine, a
 * temporary `git worktree` of HEAD with node_modules linked: the dev server watches its source tree, and
 * someone else's `svelte-kit sync` or vitest run in the shared tree reloads its modules mid-test. Set
 * POSTERN_E2E_DEV_ROOT=repo to use the repository anyway.
 */
import { test as base } from '@playwright/test';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './postern.js';

const REPO = path.resolve(import.meta.dirname, '..', '..', '..');
const LOGS = path.resolve('test-results', 'servers');

export interface DevServer {
	/** The mock accounts appeared in the terminal before this helper made its first request. */
	printedBeforeAnyRequest: boolean;
	url: string;
	/** The source tree it runs from (the repository, or the temporary worktree). */
	root: string;
	/** Everything the dev server printed so far. */
	output(): string;
	stop(): Promise<void>;
}

function git(args: string[], cwd = REPO) {
	return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** A detached worktree of HEAD with the repository's node_modules and a synced .svelte-kit. */
function createWorktree(): { root: string; remove(): void } {
	const root = path.join(mkdtempSync(path.join(tmpdir(), 'postern-dev-mock-')), 'tree');
	// another engineer's commit may hold .git/index.lock for a moment
	for (let attempt = 1; ; attempt++) {
		try {
			git(['worktree', 'add', '--detach', root, 'HEAD']);
			break;
		} catch (error) {
			if (attempt >= 5) throw error;
			execFileSync('sleep', ['1']);
		}
	}
	symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
	execFileSync(process.execPath, [path.join(root, 'node_modules', '.bin', 'svelte-kit'), 'sync'], {
		cwd: root,
		stdio: 'ignore'
	});
	return {
		root,
		remove() {
			try {
				git(['worktree', 'remove', '--force', root]);
			} catch {
				// already gone, or git busy: the prune below and the folder removal still apply
			}
			rmSync(path.dirname(root), { recursive: true, force: true });
			try {
				git(['worktree', 'prune']);
			} catch {
				// harmless: a stale entry is pruned by the next `git worktree prune`
			}
		}
	};
}

async function stopGroup(child: ChildProcess, exited: Promise<unknown>) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const kill = (signal: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, signal);
		} catch {
			// the group is gone
		}
	};
	kill('SIGTERM');
	const timer = setTimeout(() => kill('SIGKILL'), 10_000);
	await exited;
	clearTimeout(timer);
}

/** Starts `vite dev` in mock mode and waits until the login page shows the mock accounts. */
export async function startMockDevServer(): Promise<DevServer> {
	const useRepo = !!process.env.CI || process.env.POSTERN_E2E_DEV_ROOT === 'repo';
	const tree = useRepo ? null : createWorktree();
	const root = tree?.root ?? REPO;
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	mkdirSync(LOGS, { recursive: true });
	const log = createWriteStream(path.join(LOGS, `dev-mock-${port}.log`));
	const env: NodeJS.ProcessEnv = { ...process.env, POSTERN_MOCK: 'true' };
	for (const name of [
		'DATABASE_URL',
		'POSTERN_SECRET_KEY',
		'POSTERN_PUBLIC_URL',
		'POSTERN_TRUST_PROXY',
		'TEST_DATABASE_URL'
	])
		delete env[name];
	env.POSTERN_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'postern-dev-mock-data-'));
	const child = spawn(
		process.execPath,
		[
			path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
			'dev',
			'--host',
			'127.0.0.1',
			'--port',
			String(port),
			'--strictPort'
		],
		{ cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }
	);
	let output = '';
	for (const stream of [child.stdout!, child.stderr!])
		stream.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			log.write(chunk);
		});
	let running = true;
	const exited = new Promise<void>((resolve) =>
		child.once('exit', () => {
			running = false;
			log.end();
			resolve();
		})
	);
	const stop = async () => {
		await stopGroup(child, exited);
		rmSync(env.POSTERN_DATA_DIR!, { recursive: true, force: true });
		tree?.remove();
	};

	// Mock mode starts by itself once the server listens (vite.config.ts): the accounts are in the terminal
	// before any request. Wait for them first, asking nothing, so a start that needs a page view shows.
	const deadline = Date.now() + 180_000;
	let printedBeforeAnyRequest = false;
	while (running && Date.now() < Math.min(deadline, Date.now() + 120_000)) {
		if (/UI Admin: +\S+ \/ \S+/.test(output)) {
			printedBeforeAnyRequest = true;
			break;
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	for (;;) {
		if (!running) {
			await stop();
			throw new Error(`vite dev (mock mode) exited during start-up:\n${output}`);
		}
		try {
			const response = await fetch(`${url}/admin/login`, { redirect: 'manual' });
			if (response.status === 200 && (await response.text()).includes('mock-credentials')) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`vite dev (mock mode) was not ready within 180 s:\n${output}`);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	return { url, root, output: () => output, printedBeforeAnyRequest, stop };
}

/** `test` whose `baseURL`, `page` and `request` point at a mock-mode dev server living as long as the worker. */
export const testWithMockDevServer = base.extend<object, { devServer: DevServer }>({
	devServer: [
		// eslint-disable-next-line no-empty-pattern
		async ({}, use) => {
			const server = await startMockDevServer();
			try {
				await use(server);
			} finally {
				await server.stop();
			}
		},
		{ scope: 'worker', timeout: 240_000 }
	],
	baseURL: async ({ devServer }, use) => use(devServer.url)
});

export { expect } from '@playwright/test';
