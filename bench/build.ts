/**
 * Global setup of `npm run bench`: one fresh production build before the benchmarks that read or run it
 * (js-size.bench.ts, process.bench.ts). POSTERN_BENCH_SKIP_BUILD=1 reuses the last one (while tuning).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup() {
	if (process.env.POSTERN_BENCH_SKIP_BUILD) return;
	const root = path.resolve(import.meta.dirname, '..');
	execFileSync(
		process.execPath,
		[path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
		{
			cwd: root,
			stdio: 'ignore',
			env: { ...process.env, NODE_ENV: 'production' }
		}
	);
}
