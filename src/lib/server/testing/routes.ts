/**
 * Every route of the app, read from src/routes on the file system, so a test that walks them covers a route
 * added later without being edited: its id (as SvelteKit names it), a sample URL path, its form actions and
 * the methods its +server.ts exports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface RouteInfo {
	/** SvelteKit's route id, e.g. `/admin/smtp-servers/[id]`. */
	id: string;
	/** A URL path that reaches it: `[id]` gets a sample UUID, `[...rest]` two segments, groups vanish. */
	path: string;
	/** Form actions of the page: `default` or the named ones (none when it has no actions). */
	actions: string[];
	/** Methods its +server.ts exports. */
	methods: string[];
	/** True when a +page.svelte or +page.server.ts makes it a page. */
	page: boolean;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';

function urlPath(segments: string[]) {
	const parts = segments
		.filter((s) => !/^\(.*\)$/.test(s) && !/^\[\[.*\]\]$/.test(s))
		.map((s) => (s.startsWith('[...') ? 'a/b' : s.startsWith('[') ? SAMPLE_ID : s));
	return `/${parts.join('/')}`;
}

/** Action names of a +page.server.ts: the keys of `export const actions = { … }` at one tab of indent. */
export function actionsOf(source: string): string[] {
	const block = source.split(/export const actions[^=]*=/)[1];
	if (block === undefined) return [];
	const body = block.slice(0, block.search(/^\};?$/m) + 1);
	const names = [...body.matchAll(/^\t(\w+)\s*[:(,]/gm)].map((m) => m[1]);
	return names.length ? names : ['default'];
}

export function listRoutes(root = path.resolve('src', 'routes'), segments: string[] = []) {
	const dir = path.join(root, ...segments);
	const entries = readdirSync(dir, { withFileTypes: true });
	const files = entries.filter((e) => e.isFile()).map((e) => e.name);
	const routes: RouteInfo[] = [];
	const read = (name: string) => {
		const file = files.find((f) => new RegExp(`^\\+${name}\\.[jt]s$`).test(f));
		return file ? readFileSync(path.join(dir, file), 'utf8') : '';
	};
	const page = files.some((f) => /^\+page(\.svelte|(\.server)?\.[jt]s)$/.test(f));
	const endpoint = read('server');
	if (page || endpoint) {
		routes.push({
			id: `/${segments.join('/')}`,
			path: urlPath(segments),
			actions: actionsOf(read('page.server')),
			methods: METHODS.filter((m) =>
				new RegExp(`export (async )?(function|const) ${m}\\b`).test(endpoint)
			),
			page
		});
	}
	for (const entry of entries.filter((e) => e.isDirectory()))
		routes.push(...listRoutes(root, [...segments, entry.name]));
	return routes;
}
