// `npm test`: every test Postern has, in three phases, on a fresh machine too.
//   unit  Vitest on in-memory PGlite (all src/**/*.test.ts)
//   pg    the database tests again on PostgreSQL, when one answers at TEST_DATABASE_URL
//         (default postgres://postgres@127.0.0.1:5432/test); otherwise reported as skipped, with why
//   e2e   Playwright against the built app, in Chromium (found or installed by scripts/ensure-chromium.js)
// Before the first phase that needs them, OpenLDAP's slapd and ldap-utils are found or installed
// (scripts/ensure-slapd.js): the LDAP tests of every phase run a throwaway slapd.
// `node scripts/test.js pg e2e` runs only those phases; arguments after `--` go to Vitest or Playwright.
// Every selected phase runs even when an earlier one failed; the exit code is 1 if any failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureChromium } from './ensure-chromium.js';
import { ensureSlapd } from './ensure-slapd.js';

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
const reports = mkdtempSync(path.join(tmpdir(), 'postern-test-report-'));

function banner(text) {
	console.log(`\n=== ${text} ===`);
}

function run(args, env) {
	const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
	return result.status === 0;
}

/** Passed / failed / skipped counts from a Vitest JSON report, or null when there is none. */
function vitestCounts(file) {
	try {
		const r = JSON.parse(readFileSync(file, 'utf8'));
		return {
			passed: r.numPassedTests,
			failed: r.numFailedTests,
			skipped: r.numPendingTests + r.numTodoTests
		};
	} catch {
		return null;
	}
}

/** The same from a Playwright JSON report (flaky tests passed on a retry: counted as passed). */
function playwrightCounts(file) {
	try {
		const { stats } = JSON.parse(readFileSync(file, 'utf8'));
		return {
			passed: stats.expected + stats.flaky,
			failed: stats.unexpected,
			skipped: stats.skipped
		};
	} catch {
		return null;
	}
}

/** Vitest with its usual output, plus a JSON report to count from. */
function runVitest(args, env, report) {
	const ok = run(
		[
			VITEST,
			'--run',
			'--reporter=default',
			'--reporter=json',
			`--outputFile.json=${report}`,
			...args
		],
		env
	);
	return { ok, counts: vitestCounts(report) };
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
				(/\.pg\.test\.[jt]s$/.test(entry.name) ||
					/freshTestDatabase/.test(readFileSync(full, 'utf8')))
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

let ldapPrepared = false;
/** Finds or installs slapd once per run; without it the LDAP tests fail, and this says why beforehand. */
function prepareLdap() {
	if (ldapPrepared) return;
	ldapPrepared = true;
	const result = ensureSlapd();
	if (!result.ok) console.warn(`[slapd] ${result.message} Until then the LDAP tests fail.`);
}

const phaseRunners = {
	unit() {
		banner('Unit and integration tests (Vitest, in-memory PGlite)');
		prepareLdap();
		return runVitest(extra, childEnv(), path.join(reports, 'unit.json'));
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
		prepareLdap();
		const files = databaseTestFiles();
		console.log(`${files.length} database test files: ${files.join(', ')}`);
		const runId = `r${process.pid}`;
		const result = runVitest(
			[...files, ...extra],
			childEnv({ TEST_DATABASE_URL: url, POSTERN_TEST_RUN_ID: runId }),
			path.join(reports, 'pg.json')
		);
		await dropRunDatabases(url, runId);
		return result;
	},

	e2e() {
		banner('End-to-end tests (Playwright, Chromium)');
		prepareLdap();
		let chromium;
		try {
			chromium = ensureChromium();
		} catch (error) {
			console.error(error instanceof Error ? error.message : error);
			return { ok: false };
		}
		const report = path.join(reports, 'e2e.json');
		const env = childEnv({
			...(chromium ? { CHROMIUM_PATH: chromium } : {}),
			POSTERN_E2E_JSON: report
		});
		const ok = run([PLAYWRIGHT, 'test', ...extra], env);
		return { ok, counts: playwrightCounts(report) };
	}
};

const results = [];
for (const phase of phases) {
	const started = performance.now();
	const { ok, note, counts } = await phaseRunners[phase]();
	results.push({ phase, ok, note, counts, seconds: (performance.now() - started) / 1000 });
}
rmSync(reports, { recursive: true, force: true });

banner('Summary');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const r of results) {
	const c = r.counts;
	if (c) for (const k of Object.keys(total)) total[k] += c[k] ?? 0;
	const tally = c ? `  ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped` : '';
	console.log(
		`${r.ok ? 'ok    ' : 'FAILED'} ${r.phase.padEnd(5)} ${r.seconds.toFixed(1).padStart(6)} s${tally}${r.note ? `  ${r.note}` : ''}`
	);
}
// A phase that failed without a report (a crash before any test ran) counts as one failure.
total.failed += results.filter((r) => !r.ok && !r.counts).length;
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
