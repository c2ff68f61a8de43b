/**
 * End-to-end tests: Playwright drives Chromium against the built app.
 *
 * The web server (tests/e2e/support/serve.js) builds the app once, copies the build into a temporary folder
 * (so a rebuild elsewhere in the working tree cannot change it mid-run), and serves it with `node server.js`
 * on a free port and a fresh data folder. Specs that need a server of their own (first run from scratch,
 * proxy settings, a stopped server's database) start more instances of that same build
 * (tests/e2e/support/postern.ts).
 *
 * Projects: `first-run` sees the main server before any account exists (setup page checks, then setup);
 * `console` runs everything else once it has passed.
 */
import { defineConfig, type ReporterDescription } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// This file is evaluated by the runner and again by every worker: the runner decides the folder and the
// port, and the workers inherit them through the environment.
process.env.POSTERN_E2E_TMP ??= mkdtempSync(path.join(tmpdir(), 'postern-e2e-'));
process.env.POSTERN_E2E_PORT ??= execFileSync(process.execPath, [
	'-e',
	"const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); })"
])
	.toString()
	.trim();

const baseURL = `http://127.0.0.1:${process.env.POSTERN_E2E_PORT}`;

const reporter: ReporterDescription[] = process.env.CI
	? [['list'], ['html', { open: 'never' }]]
	: [['list']];
// scripts/test.js reads the counts from here for its summary line
if (process.env.POSTERN_E2E_JSON)
	reporter.push(['json', { outputFile: process.env.POSTERN_E2E_JSON }]);
// Debian's chromium (never a downloaded browser on the machines here); scripts/ensure-chromium.js decides
// for `npm test` and passes CHROMIUM_PATH, or leaves it unset to use Playwright's own download.
const executablePath =
	process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.e2e.ts',
	outputDir: 'test-results/artifacts',
	forbidOnly: !!process.env.CI,
	retries: 0,
	// Two cores here; every spec-owned server is an embedded PostgreSQL of its own.
	workers: 2,
	timeout: 60_000,
	expect: { timeout: 10_000 },
	reporter,
	use: {
		baseURL,
		browserName: 'chromium',
		launchOptions: {
			executablePath,
			// Without the background-networking flags Chromium keeps dialling out, which a closed network punishes.
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync'
			]
		},
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure'
	},
	projects: [
		{ name: 'first-run', testMatch: 'first-run.e2e.ts' },
		{ name: 'console', testIgnore: 'first-run.e2e.ts', dependencies: ['first-run'] }
	],
	webServer: {
		name: 'postern',
		command: 'node tests/e2e/support/serve.js',
		url: `${baseURL}/healthz`,
		timeout: 180_000,
		reuseExistingServer: false,
		stdout: 'pipe',
		gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 }
	}
});
