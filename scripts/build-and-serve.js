// `npm start`, once scripts/start.js has checked Node and node_modules: builds the app when the build is
// missing or older than the sources, then serves it. A fresh clone therefore needs only
// `npm install && npm start`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const built = path.join(root, 'build', 'handler.js');

function newest(target) {
	const stat = statSync(target);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let latest = stat.mtimeMs;
	for (const entry of readdirSync(target))
		latest = Math.max(latest, newest(path.join(target, entry)));
	return latest;
}

const sources = ['src', 'static', 'drizzle', 'vite.config.ts', 'package-lock.json']
	.map((p) => path.join(root, p))
	.filter((p) => existsSync(p));
const stale = !existsSync(built) || sources.some((p) => newest(p) > statSync(built).mtimeMs);

if (stale) {
	console.log('Building Postern (first start, or the sources changed)…');
	const result = spawnSync(
		process.execPath,
		[path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
		{
			cwd: root,
			stdio: 'inherit'
		}
	);
	if (result.status !== 0) process.exit(result.status ?? 1);
}

await import(path.join(root, 'server.js'));
