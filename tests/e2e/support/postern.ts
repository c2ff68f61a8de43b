/**
 * More Postern instances for specs that need one of their own: the same build the main server runs
 * (copied by serve.js into $POSTERN_E2E_TMP/app), started with `node server.js` on a free port, a fresh data
 * folder and whatever environment the spec asks for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const TMP = process.env.POSTERN_E2E_TMP!;
const APP = path.join(TMP, 'app');
/** The main server's data folder (serve.js starts it there): its setup-code file is read by first-run. */
export const MAIN_DATA_DIR = path.join(TMP, 'data', 'main');
const LOGS = path.resolve('test-results', 'servers');

/** Variables a developer's shell might carry that would change what a test server does. */
const INHERITED_SETTINGS = [
	'DATABASE_URL',
	'POSTERN_SECRET_KEY',
	'POSTERN_PUBLIC_URL',
	'POSTERN_TRUST_PROXY',
	'POSTERN_DATA_DIR',
	'TEST_DATABASE_URL'
];

export interface Postern {
	name: string;
	url: string;
	port: number;
	/** The server process's PID (what a data-folder lock names). */
	pid: number;
	dataDir: string;
	/** Everything the process printed so far. */
	output(): string;
	stop(): Promise<void>;
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

export function newDataDir(name: string) {
	const parent = path.join(TMP, 'data');
	mkdirSync(parent, { recursive: true });
	return mkdtempSync(path.join(parent, `${name}-`));
}

function launch(name: string, env: Record<string, string>, dataDir: string, port: number) {
	mkdirSync(LOGS, { recursive: true });
	const log = createWriteStream(path.join(LOGS, `${name}-${port}.log`));
	const childEnv: NodeJS.ProcessEnv = { ...process.env };
	for (const variable of INHERITED_SETTINGS) delete childEnv[variable];
	Object.assign(childEnv, {
		HOST: '127.0.0.1',
		PORT: String(port),
		POSTERN_DATA_DIR: dataDir,
		...env
	});
	const child = spawn(process.execPath, [path.join(APP, 'server.js')], {
		cwd: APP,
		env: childEnv,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	for (const stream of [child.stdout, child.stderr])
		stream.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			log.write(chunk);
		});
	const exited = new Promise<number | null>((resolve) =>
		child.once('exit', (code) => {
			log.end();
			resolve(code);
		})
	);
	return { child, exited, output: () => output };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
	await exited;
	clearTimeout(timer);
}

/** Starts an instance and waits until /healthz answers 200. */
export async function startPostern(
	name: string,
	options: { env?: Record<string, string>; dataDir?: string } = {}
): Promise<Postern> {
	const port = await freePort();
	const dataDir = options.dataDir ?? newDataDir(name);
	const { child, exited, output } = launch(name, options.env ?? {}, dataDir, port);
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 60_000;
	let stopped = false;
	void exited.then(() => (stopped = true));
	for (;;) {
		if (stopped) throw new Error(`Postern (${name}) exited during start-up:\n${output()}`);
		try {
			const response = await fetch(`${url}/healthz`);
			if (response.ok) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await stopChild(child, exited);
			throw new Error(`Postern (${name}) did not become healthy within 60 s:\n${output()}`);
		}
		await new Promise((r) => setTimeout(r, 150));
	}
	return {
		name,
		url,
		port,
		pid: child.pid!,
		dataDir,
		output,
		stop: () => stopChild(child, exited)
	};
}

/** Starts an instance that is expected to refuse to start; returns its exit code and what it printed. */
export async function startPosternExpectingFailure(
	name: string,
	options: { env?: Record<string, string>; dataDir?: string } = {}
): Promise<{ code: number | null; output: string }> {
	const port = await freePort();
	const { child, exited, output } = launch(
		name,
		options.env ?? {},
		options.dataDir ?? newDataDir(name),
		port
	);
	const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
	const code = await exited;
	clearTimeout(timer);
	return { code, output: output() };
}
