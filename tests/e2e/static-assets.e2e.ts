/**
 * Static files (adapter-node's static handler, which answers before SvelteKit's hooks set their headers) carry
 * `X-Content-Type-Options: nosniff` too, plain and precompressed: a browser must not guess a type for them.
 * The files are taken from the build the main server runs (serve.js copies build/ into $POSTERN_E2E_TMP).
 */
import { expect, test } from '@playwright/test';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { send } from './support/http.js';

const CLIENT = path.join(process.env.POSTERN_E2E_TMP!, 'app', 'build', 'client');

/** The URL path of the first built file in `dir` (relative to the client folder) whose name matches. */
function builtFile(dir: string, name: RegExp): string {
	const found = readdirSync(path.join(CLIENT, dir)).find((f) => name.test(f));
	if (!found) throw new Error(`no ${name} in ${dir}`);
	return `/${dir}/${found}`;
}

test('static files carry X-Content-Type-Options: nosniff, plain and precompressed', async ({
	baseURL
}) => {
	const files = [
		builtFile('_app/immutable/entry', /^app\..*\.js$/),
		builtFile('_app/immutable/assets', /\.css$/),
		'/_app/version.json',
		'/robots.txt'
	];
	for (const file of files)
		for (const encoding of ['identity', 'br', 'gzip']) {
			const reply = await send(`${baseURL}${file}`, { headers: { 'accept-encoding': encoding } });
			expect(reply.status, `${file} (${encoding})`).toBe(200);
			expect(reply.headers.get('x-content-type-options'), `${file} (${encoding})`).toBe('nosniff');
		}
	// a page, through SvelteKit's hooks, still has it once (not twice)
	const page = await send(`${baseURL}/admin/login`);
	expect(page.headers.get('x-content-type-options')).toBe('nosniff');
});
