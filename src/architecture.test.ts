/**
 * The direction of dependencies, checked on the source: server folders form layers (lower ones never import
 * higher ones, so there is no cycle), browser code and schemas never import server modules, server modules never
 * import routes, and production code never imports mock-mode or test code (mock mode reaches it only through
 * dynamic imports behind `dev`, in the few seams listed here, which production builds strip).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve('src');

/** src/lib/server folders (and top-level files) from the lowest layer up. Same layer: no imports between them. */
const LAYERS: string[][] = [
	['config'],
	['log', 'request', 'secrets', 'form-defaults', 'ids', 'metrics'],
	['db'],
	['audit', 'rate-limit'],
	['auth'],
	['directory', 'mail'],
	['outbox'],
	['otp', 'smtp-editor'],
	['identity', 'site'],
	['notify', 'alerts'],
	['login'],
	['user-mail', 'user-request'],
	['resend', 'scrape'],
	['startup']
];
/** Folders of code that only runs in tests or in mock mode. */
const NON_PRODUCTION = ['src/mocks', 'src/lib/server/dev', 'src/lib/dev', 'src/lib/server/testing'];
/**
 * The production files that reach mock-mode code, behind `dev` (a build-time constant): the
 * postern:strip-dev-only-code plugin empties those modules in production builds, and production-build.e2e.ts
 * checks that no mock code is in the built files. Nothing else may.
 */
const MOCK_SEAMS = [
	'src/lib/server/startup.ts',
	'src/routes/+layout.server.ts',
	'src/routes/+layout.svelte',
	'src/routes/admin/login/+page.server.ts',
	'src/routes/admin/login/+page.svelte'
];

interface Import {
	from: string;
	to: string;
	dynamic: boolean;
}

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return /\.(ts|js|svelte)$/.test(entry.name) && !/\.(test|spec|child)\.[jt]s$/.test(entry.name)
			? [full]
			: [];
	});
}

const rel = (file: string) => path.relative(path.dirname(SRC), file).split(path.sep).join('/');

function importsOf(file: string): Import[] {
	const source = readFileSync(file, 'utf8');
	const found: Import[] = [];
	const pattern =
		/(?:^|[^\w.])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
	for (const match of source.matchAll(pattern)) {
		const spec = match[1] ?? match[2];
		// type-only imports vanish at build time but still tie modules together: count them too
		let target: string | null = null;
		if (spec.startsWith('#lib/')) target = path.join(SRC, 'lib', spec.slice(5));
		else if (spec.startsWith('.')) target = path.resolve(path.dirname(file), spec);
		if (target) found.push({ from: rel(file), to: rel(target), dynamic: match[2] !== undefined });
	}
	return found;
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);

/** The server unit a path belongs to: its folder under src/lib/server, or a top-level file's name. */
function serverUnit(file: string): string | null {
	const m = /^src\/lib\/server\/([^/]+?)(?:\.[jt]s)?(?:\/|$)/.exec(file);
	return m ? m[1] : null;
}
const layerOf = (unit: string) => LAYERS.findIndex((layer) => layer.includes(unit));
const isNonProduction = (file: string) =>
	NON_PRODUCTION.some((dir) => file === dir || file.startsWith(`${dir}/`));

describe('dependency directions', () => {
	it('finds the imports it checks', () => {
		expect(files.length).toBeGreaterThan(100);
		expect(imports.length).toBeGreaterThan(300);
	});

	it('puts every server folder in a layer', () => {
		const units = new Set(files.map(serverUnit).filter((u): u is string => u !== null));
		const unplaced = [...units].filter(
			(u) => layerOf(u) === -1 && !isNonProduction(`src/lib/server/${u}`)
		);
		expect(unplaced).toEqual([]);
	});

	it('never imports a higher or same-layer server folder from a lower one (so no cycle)', () => {
		const wrong = imports
			.filter((i) => !isNonProduction(i.from))
			.flatMap((i) => {
				const [a, b] = [serverUnit(i.from), serverUnit(i.to)];
				if (!a || !b || a === b || isNonProduction(i.to)) return [];
				return layerOf(a) <= layerOf(b) ? [`${i.from} -> ${i.to}`] : [];
			});
		expect(wrong).toEqual([]);
	});

	it('keeps server modules out of browser code and schemas', () => {
		const wrong = imports.filter(
			(i) =>
				!i.from.startsWith('src/lib/server/') &&
				!isNonProduction(i.from) &&
				// ambient types of locals
				i.from !== 'src/app.d.ts' &&
				!/\+(page|layout)\.server\.[jt]s$|\+server\.[jt]s$|\.server\.[jt]s$|hooks\.server\.ts$/.test(
					i.from
				) &&
				i.to.startsWith('src/lib/server/')
		);
		expect(wrong.map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
	});

	it('never imports routes from server modules', () => {
		const wrong = imports.filter(
			(i) => i.from.startsWith('src/lib/') && i.to.startsWith('src/routes/')
		);
		expect(wrong.map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
	});

	it('never imports mock-mode or test code from production code, but through the dev seams', () => {
		const wrong = imports.filter(
			(i) =>
				!isNonProduction(i.from) &&
				!i.from.startsWith('src/routes/dev/') &&
				isNonProduction(i.to) &&
				!MOCK_SEAMS.includes(i.from)
		);
		expect(wrong.map((i) => `${i.from} -> ${i.to}${i.dynamic ? ' (dynamic)' : ''}`)).toEqual([]);
	});
});
