/**
 * JavaScript a first visit of each page downloads, gzip-compressed, from a fresh production build: SvelteKit's
 * client entry (start, app and their imports) plus the static imports of the root layout, the page's layouts
 * and the page itself (each server node lists them: `.svelte-kit/output/server/nodes/N.js`), each file once.
 * Lazily loaded chunks (dynamic imports, fetched only when a feature is used) are not counted. A page that
 * renders without client JavaScript (`export const csr = false` in its +page.server.ts or +page.ts) ships
 * none. Targets are absolute budgets: /login ≤ 35 KB, every console page ≤ 90 KB; the ratio is ours ÷
 * budget. Fails when a page is over. The build is bench/build.ts's, made fresh at the start of the run.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mergeResults, type BenchResult } from './results.js';

const root = path.resolve(import.meta.dirname, '..');
const output = path.join(root, '.svelte-kit', 'output');
const BUDGETS: [RegExp, number][] = [
	[/^\/login(\/|$)/, 35],
	[/^\/admin(\/|$)/, 90]
];

/** Route id → node indexes (root layout, layouts, leaf), from the client's route dictionary. */
function routes(): Map<string, number[]> {
	const app = readFileSync(
		path.join(root, '.svelte-kit', 'generated', 'build', 'client-optimized', 'app.js'),
		'utf8'
	);
	const found = new Map<string, number[]>();
	for (const match of app.matchAll(/^\s*"([^"]+)": \[~?(\d+)(?:,\[([\d,]*)\])?/gm)) {
		const layouts = (match[3] ?? '').split(',').filter(Boolean).map(Number);
		found.set(match[1], [0, ...layouts, Number(match[2])]);
	}
	return found;
}

function nodeImports(index: number): string[] {
	const node = readFileSync(path.join(output, 'server', 'nodes', `${index}.js`), 'utf8');
	const list = /export const imports = (\[[^\]]*\])/.exec(node);
	return list ? (JSON.parse(list[1]) as string[]) : [];
}

function entryImports(): string[] {
	const manifest = readFileSync(path.join(output, 'server', 'manifest.js'), 'utf8');
	const list = /client: \{[^}]*?imports:(\[[^\]]*\])/.exec(manifest);
	if (!list) throw new Error('no client entry in the server manifest');
	return JSON.parse(list[1]) as string[];
}

/** Whether the route's page turns client rendering off (it then ships no JavaScript). */
function rendersWithoutJs(routeId: string): boolean {
	const dir = path.join(root, 'src', 'routes', ...routeId.split('/').filter(Boolean));
	return ['+page.server.ts', '+page.ts'].some((file) => {
		const full = path.join(dir, file);
		return existsSync(full) && /export const csr = false/.test(readFileSync(full, 'utf8'));
	});
}

const gzSize = new Map<string, number>();
function gzKb(file: string): number {
	if (!gzSize.has(file))
		gzSize.set(file, gzipSync(readFileSync(path.join(output, 'client', file))).length / 1024);
	return gzSize.get(file)!;
}

describe('JavaScript per page', () => {
	it(
		'ships at most 35 KB gz on /login and 90 KB gz on every console page',
		() => {
			const entry = entryImports();
			const results: BenchResult[] = [];
			for (const [routeId, nodes] of routes()) {
				const budget = BUDGETS.find(([pattern]) => pattern.test(routeId))?.[1];
				if (budget === undefined) continue;
				const files = rendersWithoutJs(routeId)
					? []
					: [...new Set([...entry, ...nodes.flatMap(nodeImports)])].filter((f) =>
							f.endsWith('.js')
						);
				const kb = files.reduce((sum, file) => sum + gzKb(file), 0);
				results.push({
					name: `JavaScript of a first visit to ${routeId}, KB gzip, vs a ${budget} KB budget`,
					ours: Number(kb.toFixed(1)),
					baseline: budget,
					unit: 'KB',
					ratio: Number((kb / budget).toFixed(3)),
					target: 1,
					better: 'lower'
				});
			}
			expect(results.length).toBeGreaterThan(20);
			for (const r of results)
				console.log(`${r.ratio <= 1 ? 'ok  ' : 'OVER'} ${r.name}: ${r.ours} KB`);
			mergeResults(results, (name) => name.startsWith('JavaScript of a first visit'));
			const over = results.filter((r) => r.ratio > r.target).map((r) => `${r.name}: ${r.ours}`);
			expect(over).toEqual([]);
		},
		10 * 60_000
	);
});
