// `npm test`: every test Postern has, in three phases, on a fresh machine too.
//   unit  Vitest on in-memory PGlite (all src/**/*.test.ts)
//   pg    the database tests again on PostgreSQL, when one answers at TEST_DATABASE_URL
//         (default postgres://postgres@127.0.0.1:5432/test); otherwise reported as skipped, with why
//   e2e   Playwright against the built app, in Chromium (found or installed by scripts/ensure-chromium.js)
// `node scripts/test.js pg e2e` runs only those phases; arguments after `--` go to Vitest or Playwright.
// Every selected phase runs even when an earlier one failed; the exit code is 1 if any failed.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ensureChromium } from './ensure-chromium.js';

const root = path.resolve(import.meta.dirname, '..');
const VITEST = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const PLAYWRIGHT = path.join(root, 'node_modules', '@playwright', 'test', 'cli.js');
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
const PHASES = ['unit', 'pg', 'e2e'];

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const chosen = (split === -1 ? argv : argv.slice(0, split)).filter(Boolean);
const extra = split === -1 ? [] : argv.slice(split + 1);
for (const phase of chosen)
	if (!PHASES.includes(phase)) {
		console.error(`Unknown phase "${phase}". Phases: ${PHASES.join(', ')}.`);
		process.exit(2);
	}
const phases = chosen.length ? PHASES.filter((p) => chosen.includes(p)) : PHASES;

function banner(text) {
	console.log(`\n=== ${text} ===`);
}

function run(args, env) {
	const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
	return result.status === 0;
}

/** The environment for a child, without a TEST_DATABASE_URL unless one is given. */
function childEnv(extraEnv = {}) {
	const env = { ...process.env, ...extraEnv };
	if (!('TEST_DATABASE_URL' in extraEnv)) delete env.TEST_DATABASE_URL;
	return env;
}

/** The URL without its password, for printing. */
function shown(url) {
	try {
		const u = new URL(url);
		if (u.password) u.password = '***';
		return u.toString();
	} catch {
		return '(unparseable URL)';
	}
}

/** Null when PostgreSQL answers at `url`, else why not. */
async function probePostgres(url) {
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
	try {
		await client.connect();
		await client.query('select 1');
		return null;
	} catch (error) {
		const e = /** @type {Error & { code?: string }} */ (error);
		return [e.code, e.message].filter(Boolean).join(': ') || String(error);
	} finally {
		await client.end().catch(() => {});
	}
}

/** Test files that open a database (they use the testing helper), relative to the root. */
function databaseTestFiles() {
	const files = [];
	const walk = (dir) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (
				/\.test\.[jt]s$/.test(entry.name) &&
				/freshTestDatabase/.test(readFileSync(full, 'utf8'))
			)
				files.push(path.relative(root, full));
		}
	};
	walk(path.join(root, 'src'));
	return files.sort();
}

/** Drops the per-worker databases testing/db.ts created for this run. */
async function dropRunDatabases(url, runId) {
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
	try {
		await client.connect();
		const base = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
		const prefix = `${base}_${runId}_w`.toLowerCase();
		const { rows } = await client.query(
			'select datname from pg_database where starts_with(datname, $1)',
			[prefix]
		);
		for (const { datname } of rows)
			await client.query(`drop database if exists "${datname}" with (force)`);
	} catch (error) {
		console.warn(`Could not drop this run's test databases: ${error.message}`);
	} finally {
		await client.end().catch(() => {});
	}
}

const phaseRunners = {
	unit() {
		banner('Unit and integration tests (Vitest, in-memory PGlite)');
		return { ok: run([VITEST, '--run', ...extra], childEnv()) };
	},

	async pg() {
		const url = process.env.TEST_DATABASE_URL || DEFAULT_PG;
		banner(`Database tests on PostgreSQL (${shown(url)})`);
		const why = await probePostgres(url);
		if (why) {
			console.log(
				`PostgreSQL run skipped: no PostgreSQL answers at ${shown(url)} (${why}).\n` +
					'Start one there, or set TEST_DATABASE_URL=postgres://user@host:port/db, to run the database tests on it too.'
			);
			return { ok: true, note: `skipped (${why})` };
		}
		const files = databaseTestFiles();
		console.log(`${files.length} database test files: ${files.join(', ')}`);
		const runId = `r${process.pid}`;
		const ok = run(
			[VITEST, '--run', ...files, ...extra],
			childEnv({ TEST_DATABASE_URL: url, POSTERN_TEST_RUN_ID: runId })
		);
		await dropRunDatabases(url, runId);
		return { ok };
	},

	e2e() {
		banner('End-to-end tests (Playwright, Chromium)');
		let chromium;
		try {
			chromium = ensureChromium();
		} catch (error) {
			console.error(error instanceof Error ? error.message : error);
			return { ok: false };
		}
		const env = childEnv(chromium ? { CHROMIUM_PATH: chromium } : {});
		return { ok: run([PLAYWRIGHT, 'test', ...extra], env) };
	}
};

const results = [];
for (const phase of phases) {
	const started = performance.now();
	const { ok, note } = await phaseRunners[phase]();
	results.push({ phase, ok, note, seconds: (performance.now() - started) / 1000 });
}

banner('Summary');
for (const r of results)
	console.log(
		`${r.ok ? 'ok    ' : 'FAILED'} ${r.phase.padEnd(5)} ${r.seconds.toFixed(1).padStart(6)} s${r.note ? `  ${r.note}` : ''}`
	);
process.exit(results.every((r) => r.ok) ? 0 : 1);
