/**
 * Local SMTP sinks for the benchmarks, each in a child process (bench/sink-process.mjs) so the sink's own work
 * neither shares the event loop with the clients being timed nor blurs their latencies.
 */
import { fork } from 'node:child_process';
import path from 'node:path';

export interface Sink {
	port: number;
	received(): Promise<number>;
	close(): Promise<void>;
}

export function startSink(kind: 'smtp-server' | 'instant'): Promise<Sink> {
	const child = fork(path.join(import.meta.dirname, 'sink-process.mjs'), [kind], {
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	const next = <T>() =>
		new Promise<T>((resolve, reject) => {
			child.once('message', (m) => resolve(m as T));
			child.once('exit', (code) => reject(new Error(`sink exited (${code})`)));
		});
	return next<{ port: number }>().then(({ port }) => ({
		port,
		received: async () => {
			const answer = next<{ received: number }>();
			child.send('count');
			return (await answer).received;
		},
		close: () =>
			new Promise<void>((resolve) => {
				child.once('exit', () => resolve());
				child.send('close');
			})
	}));
}
