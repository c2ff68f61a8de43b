/**
 * Starts a Postern outbox instance as a separate process (a Vitest run of outbox/instance.child.ts), for
 * tests of what one process cannot show: a kill -9 in the middle of a run, two instances on one PostgreSQL.
 * The child reports by lines on stdout ("READY", "DONE {json}").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

export interface InstanceOptions {
	/** PGlite data folder, or a PostgreSQL URL. */
	dataDir?: string;
	databaseUrl?: string;
	sinkPort: number;
	/** Messages to enqueue before starting the worker (0: none). */
	enqueue?: number;
	/** Print DONE and exit once no message is unfinished. */
	/** The sink server's Max connections (the queue lets no more jobs of it be active at once). */
	maxConnections?: number;
	/** Only enqueue (no worker): the process says it is ready once the messages are in, and exits. */
	enqueueOnly?: boolean;
	exitWhenDone?: boolean;
}

export interface Instance {
	child: ChildProcess;
	ready: Promise<void>;
	done: Promise<Record<string, unknown>>;
	output(): string;
}

export function startInstance(options: InstanceOptions): Instance {
	const child = spawn(
		process.execPath,
		[
			VITEST,
			'run',
			'--config',
			'src/lib/server/testing/child.vitest.config.ts',
			'src/lib/server/outbox/instance.child.ts'
		],
		{
			cwd: ROOT,
			env: {
				...process.env,
				TEST_DATABASE_URL: '',
				INSTANCE_DATA_DIR: options.dataDir ?? '',
				INSTANCE_DATABASE_URL: options.databaseUrl ?? '',
				INSTANCE_SINK_PORT: String(options.sinkPort),
				INSTANCE_ENQUEUE: String(options.enqueue ?? 0),
				INSTANCE_EXIT_WHEN_DONE: options.exitWhenDone ? '1' : '',
				INSTANCE_MAX_CONNECTIONS: String(options.maxConnections ?? ''),
				INSTANCE_ENQUEUE_ONLY: options.enqueueOnly ? '1' : ''
			},
			stdio: ['ignore', 'pipe', 'pipe']
		}
	);
	let out = '';
	let onReady: () => void;
	let onDone: (summary: Record<string, unknown>) => void;
	let onFail: (error: Error) => void;
	const ready = new Promise<void>((resolve) => (onReady = resolve));
	const done = new Promise<Record<string, unknown>>((resolve, reject) => {
		onDone = resolve;
		onFail = reject;
	});
	const read = (chunk: Buffer) => {
		out += chunk.toString();
		if (out.includes('INSTANCE READY')) onReady();
		const match = /INSTANCE DONE (\{.*\})/.exec(out);
		if (match) onDone(JSON.parse(match[1]));
	};
	child.stdout!.on('data', read);
	child.stderr!.on('data', read);
	child.on('exit', (code, signal) => {
		onFail(
			new Error(`instance exited (${code ?? signal}) before it was done:\n${out.slice(-3000)}`)
		);
	});
	ready.catch(() => {});
	done.catch(() => {});
	return { child, ready, done, output: () => out };
}
