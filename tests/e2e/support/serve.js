// Playwright's web server for the e2e run (see playwright.config.ts):
//   1. builds the app (vite build), once per run;
//   2. copies the build, server.js and package.json into $POSTERN_E2E_TMP/app, with node_modules linked, so
//      a rebuild by someone else in the same working tree cannot change the app under test mid-run;
//   3. runs `node server.js` there on $POSTERN_E2E_PORT with a fresh data folder, logging to
//      test-results/servers/main.log;
//   4. on SIGTERM (end of the run) stops the server and deletes the temporary folder.
// Set POSTERN_E2E_BUILD=reuse to skip step 1 when build/ already holds the build to test.
import { spawn, spawnSync } from 'node:child_process';
import {
	copyFileSync,
	cpSync,
	createWriteStream,
	existsSync,
	mkdirSync,
	rmSync,
	symlinkSync
} from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const tmp = process.env.POSTERN_E2E_TMP ?? '';
const port = process.env.POSTERN_E2E_PORT ?? '';
if (!tmp || !port) {
	console.error(
		'serve.js is started by playwright.config.ts (POSTERN_E2E_TMP and POSTERN_E2E_PORT unset)'
	);
	process.exit(2);
}

/** @param {string} message */
function log(message) {
	console.log(`[e2e server] ${message}`);
}

if (
	process.env.POSTERN_E2E_BUILD === 'reuse' &&
	existsSync(path.join(root, 'build', 'handler.js'))
) {
	log('reusing build/ (POSTERN_E2E_BUILD=reuse)');
} else {
	log('building the app (vite build)…');
	const built = spawnSync(
		process.execPath,
		[path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
		{ cwd: root, stdio: 'inherit' }
	);
	if (built.status !== 0) {
		console.error('[e2e server] the build failed');
		process.exit(1);
	}
}

const app = path.join(tmp, 'app');
rmSync(app, { recursive: true, force: true });
mkdirSync(app, { recursive: true });
cpSync(path.join(root, 'build'), path.join(app, 'build'), { recursive: true });
copyFileSync(path.join(root, 'server.js'), path.join(app, 'server.js'));
copyFileSync(path.join(root, 'package.json'), path.join(app, 'package.json'));
symlinkSync(path.join(root, 'node_modules'), path.join(app, 'node_modules'), 'dir');
log(`serving a copy of the build from ${app}`);

const dataDir = path.join(tmp, 'data', 'main');
mkdirSync(dataDir, { recursive: true });
const logs = path.join(root, 'test-results', 'servers');
rmSync(logs, { recursive: true, force: true });
mkdirSync(logs, { recursive: true });
const logFile = createWriteStream(path.join(logs, 'main.log'));

/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, HOST: '127.0.0.1', PORT: port, POSTERN_DATA_DIR: dataDir };
for (const name of [
	'DATABASE_URL',
	'POSTERN_SECRET_KEY',
	'POSTERN_PUBLIC_URL',
	'POSTERN_TRUST_PROXY'
])
	delete env[name];
const server = spawn(process.execPath, [path.join(app, 'server.js')], {
	cwd: app,
	env,
	stdio: ['ignore', 'pipe', 'pipe']
});
server.stdout.pipe(logFile);
server.stderr.on('data', (chunk) => {
	logFile.write(chunk);
	process.stderr.write(chunk);
});
log(
	`main server on http://127.0.0.1:${port}, data in ${dataDir}, log in test-results/servers/main.log`
);

let stopping = false;
server.on('exit', (code, signal) => {
	// Playwright signals the whole process group: the server may see SIGTERM before this script does.
	if (!stopping && code !== 0 && signal !== 'SIGTERM') {
		console.error(`[e2e server] the server stopped on its own (${signal ?? `exit ${code}`})`);
		cleanUp();
		process.exit(1);
	}
	cleanUp();
	process.exit(0);
});

function cleanUp() {
	rmSync(tmp, { recursive: true, force: true });
}

function stop() {
	if (stopping) return;
	stopping = true;
	server.kill('SIGTERM');
	setTimeout(() => server.kill('SIGKILL'), 10_000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
