/**
 * The scripts a fresh machine meets first: `npm start` (scripts/start.js) before anything is installed or on
 * an old Node, and `npm test` setting up OpenLDAP (scripts/ensure-slapd.js).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'acorn';
import { nodeVersionProblem, startProblem } from '../scripts/preflight.js';
import { LDAP_TOOLS, ensureSlapd } from '../scripts/ensure-slapd.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const engines = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node;

describe('npm start on a fresh machine', () => {
	it('without node_modules prints one sentence saying to run npm install, not a stack trace', () => {
		// a copy of the scripts and package.json, with no node_modules next to them
		const copy = mkdtempSync(path.join(tmpdir(), 'postern-start-'));
		try {
			mkdirSync(path.join(copy, 'scripts'));
			for (const file of readdirSync(path.join(ROOT, 'scripts')))
				copyFileSync(path.join(ROOT, 'scripts', file), path.join(copy, 'scripts', file));
			copyFileSync(path.join(ROOT, 'package.json'), path.join(copy, 'package.json'));
			const run = spawnSync(process.execPath, [path.join(copy, 'scripts', 'start.js')], {
				cwd: copy,
				encoding: 'utf8',
				timeout: 20_000
			});
			expect(run.status).toBe(1);
			expect(run.stdout).toBe('');
			const said = run.stderr.trim();
			expect(said.split('\n')).toHaveLength(1);
			expect(said).toMatch(
				/^Postern's dependencies are not installed \(.+ is missing\): run `npm install`/
			);
			expect(said).toContain(copy);
			expect(said).not.toMatch(/\bat .*:\d+:\d+|Error:/);
		} finally {
			rmSync(copy, { recursive: true, force: true });
		}
	});

	it('with everything installed, on this Node, finds no problem', () => {
		expect(startProblem({ root: ROOT, nodeVersion: process.versions.node })).toBeNull();
	});

	it('on a Node older than package.json engines says which Node to install', () => {
		const problem = startProblem({ root: ROOT, nodeVersion: '20.19.0' });
		expect(problem).toBe(
			`Postern needs Node.js ${engines.replace(/^>=\s*/, '')} or newer (package.json engines: ${engines}), ` +
				'but this is Node.js 20.19.0: install Node.js 24 LTS (https://nodejs.org) and run npm start again.'
		);
	});

	it('refuses to start, as a process, on an older Node even though node_modules is installed', () => {
		// this Node reports itself as 20.19.0 before start.js runs: what an older Node on a checkout whose
		// node_modules was installed with a newer one looks like to the preflight
		const olderNode =
			'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.19.0"})';
		const run = spawnSync(
			process.execPath,
			['--import', olderNode, path.join(ROOT, 'scripts', 'start.js')],
			{
				cwd: ROOT,
				encoding: 'utf8',
				timeout: 20_000
			}
		);
		expect(run.status).toBe(1);
		expect(run.stdout).toBe('');
		expect(run.stderr.trim()).toBe(startProblem({ root: ROOT, nodeVersion: '20.19.0' }));
	});

	it('compares versions part by part', () => {
		expect(nodeVersionProblem('22.16.9', '>=22.17')).not.toBeNull();
		expect(nodeVersionProblem('21.99.0', '>=22.17')).not.toBeNull();
		expect(nodeVersionProblem('9.0.0', '>=22.17')).not.toBeNull();
		expect(nodeVersionProblem('22.17.0', '>=22.17')).toBeNull();
		expect(nodeVersionProblem('22.100.0', '>=22.17')).toBeNull();
		expect(nodeVersionProblem('24.1.0', '>=22.17')).toBeNull();
		expect(nodeVersionProblem('22.17.1', '>=22.17.2')).not.toBeNull();
		// a range it does not understand is not a reason to refuse
		expect(nodeVersionProblem('20.0.0', '^22 || ^24')).toBeNull();
	});

	it('start.js and preflight.js parse on old Node (ES2020 without ?., ??, top-level await, node: imports)', () => {
		for (const file of ['start.js', 'preflight.js']) {
			const source = readFileSync(path.join(ROOT, 'scripts', file), 'utf8');
			// ecmaVersion 2020 refuses top-level await and anything newer than Node 14 reads
			const tree = parse(source, { ecmaVersion: 2020, sourceType: 'module' });
			const found: string[] = [];
			const walk = (node: unknown) => {
				if (!node || typeof node !== 'object') return;
				const n = node as Record<string, unknown> & { type?: string };
				if (n.type === 'ChainExpression') found.push('?.');
				if (n.type === 'LogicalExpression' && n.operator === '??') found.push('??');
				if (
					(n.type === 'ImportDeclaration' || n.type === 'ImportExpression') &&
					String((n.source as { value?: unknown })?.value).startsWith('node:')
				)
					found.push('node: import');
				if (
					n.type === 'MemberExpression' &&
					(n.object as { type?: string }).type === 'MetaProperty' &&
					['dirname', 'filename'].includes((n.property as { name?: string }).name ?? '')
				)
					found.push('import.meta.dirname/filename');
				for (const value of Object.values(n))
					if (Array.isArray(value)) value.forEach(walk);
					else if (value && typeof value === 'object') walk(value);
			};
			walk(tree);
			expect(found, file).toEqual([]);
		}
	});
});

describe('npm test sets up OpenLDAP (ensure-slapd)', () => {
	function machine(options: {
		missing: string[];
		root: boolean;
		debian: boolean;
		aptWorks?: boolean;
	}) {
		const installed = new Set(
			LDAP_TOOLS.map((t) => t.path).filter((p) => !options.missing.includes(p))
		);
		const commands: { command: string; args: string[]; env?: NodeJS.ProcessEnv }[] = [];
		const said: string[] = [];
		return {
			commands,
			said,
			seams: {
				exists: (p: string) => installed.has(p),
				run: (command: string, args: string[], env?: NodeJS.ProcessEnv) => {
					commands.push({ command, args, env });
					if (options.aptWorks === false) return false;
					if (command === 'apt-get' && args[0] === 'install')
						for (const tool of LDAP_TOOLS) if (args.includes(tool.pkg)) installed.add(tool.path);
					return true;
				},
				isRoot: options.root,
				isDebian: options.debian,
				say: (message: string) => said.push(message)
			}
		};
	}

	it('does nothing when slapd, ldap-utils and openssl are there', () => {
		const m = machine({ missing: [], root: true, debian: true });
		expect(ensureSlapd(m.seams)).toEqual({ ok: true });
		expect(m.commands).toEqual([]);
	});

	it('as root on Debian installs slapd and ldap-utils with apt-get, non-interactively', () => {
		const m = machine({
			missing: ['/usr/sbin/slapd', '/usr/sbin/slaptest', '/usr/bin/ldapsearch'],
			root: true,
			debian: true
		});
		expect(ensureSlapd(m.seams)).toEqual({ ok: true });
		expect(m.commands).toHaveLength(1);
		expect(m.commands[0].command).toBe('apt-get');
		expect(m.commands[0].args).toEqual([
			'install',
			'-y',
			'--no-install-recommends',
			'slapd',
			'ldap-utils'
		]);
		expect(m.commands[0].env?.DEBIAN_FRONTEND).toBe('noninteractive');
	});

	it('runs apt-get update and tries again when the first install fails', () => {
		const m = machine({ missing: ['/usr/sbin/slapd'], root: true, debian: true });
		let first = true;
		const run = m.seams.run;
		m.seams.run = (command, args, env) => {
			if (first) {
				first = false;
				m.commands.push({ command, args, env });
				return false;
			}
			return run(command, args, env);
		};
		expect(ensureSlapd(m.seams)).toEqual({ ok: true });
		expect(m.commands.map((c) => `${c.command} ${c.args[0]}`)).toEqual([
			'apt-get install',
			'apt-get update',
			'apt-get install'
		]);
	});

	it('otherwise names the packages to install, and runs nothing', () => {
		for (const [root, debian] of [
			[false, true],
			[true, false]
		]) {
			const m = machine({ missing: ['/usr/sbin/slapd', '/usr/bin/ldapsearch'], root, debian });
			const result = ensureSlapd(m.seams);
			expect(result.ok).toBe(false);
			expect(result.message).toMatch(/slapd/);
			expect(result.message).toContain('apt-get install slapd ldap-utils');
			expect(m.commands).toEqual([]);
		}
	});

	it('says so when apt-get could not install them', () => {
		const m = machine({ missing: ['/usr/sbin/slapd'], root: true, debian: true, aptWorks: false });
		const result = ensureSlapd(m.seams);
		expect(result.ok).toBe(false);
		expect(result.message).toContain('apt-get install slapd ldap-utils');
	});
});
