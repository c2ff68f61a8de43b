import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';

/**
 * Mock mode (`npm run dev:mock`) lives in src/routes/dev/ and src/lib/server/dev/ and exists only under the dev
 * server. Server code reaches it only through `if (dev)` dynamic imports, which the build removes; the dev
 * routes themselves are replaced here by 404 stubs in production builds, so none of their code ships.
 *
 * SvelteKit has no option to leave a routes folder out of a build, so the routes stay in its manifest; the
 * browser's copy of it (the route dictionary of the generated client app.js) loses them here, so the shipped
 * JavaScript does not even name them, and the `reroute` hook (src/hooks.ts) sends every request for them to a
 * path no route matches: 404 for every method.
 */
function stripDevOnlyCode(): Plugin {
	const devRoute = /[\\/]src[\\/]routes[\\/]dev[\\/]/;
	const devModule = /[\\/]src[\\/](lib[\\/]server[\\/]dev|lib[\\/]dev|mocks)[\\/]/;
	const clientManifest = /[\\/]generated[\\/]build[\\/]client-optimized[\\/]app\.js$/;
	// One dictionary entry per line, as SvelteKit writes it: `"/dev/faults": [~27],`
	const devRouteEntry = /^\s*"\/dev(?:\/[^"]*)?":.*\n/gm;
	return {
		name: 'postern:strip-dev-only-code',
		apply: 'build',
		enforce: 'pre',
		transform(code, id) {
			if (!clientManifest.test(id)) return null;
			const stripped = code.replace(devRouteEntry, '');
			// A changed layout of the generated file must fail the build, not ship the names.
			if (/"\/dev[/"]/.test(stripped))
				this.error(
					'postern:strip-dev-only-code: the client route dictionary still names /dev routes'
				);
			return { code: stripped, map: null };
		},
		load(id) {
			// Reached only through dead `if (dev)` branches; an empty module keeps even their chunks empty.
			if (devModule.test(id)) return id.endsWith('.svelte') ? '' : 'export {};';
			if (!devRoute.test(id)) return null;
			if (id.endsWith('.svelte')) return '<p>Not found</p>';
			if (/\+server\.[jt]s$/.test(id))
				return "export const GET = () => new Response('Not found', { status: 404 });";
			return "import { error } from '@sveltejs/kit'; export const load = () => error(404, 'Not found');";
		}
	};
}

/**
 * Mock mode starts (seeds its database, opens the mail sink, prints the accounts) when the server module
 * loads, which the dev server does on its first request: ask for /healthz as soon as it listens, so a designer
 * reads the accounts in the terminal before opening the browser.
 */
function startMockModeWhenReady(): Plugin {
	return {
		name: 'postern:start-mock-mode-when-ready',
		apply: 'serve',
		configureServer(server) {
			if (!/^(1|true|yes|on)$/i.test(process.env.POSTERN_MOCK ?? '')) return;
			server.httpServer?.once('listening', () => {
				const address = server.httpServer?.address();
				if (!address || typeof address === 'string') return;
				const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
				const origin = `http://${host === '[::]' || host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
				fetch(`${origin}/healthz`).catch(() => {
					// the first page view starts it then
				});
			});
		}
	};
}

export default defineConfig({
	plugins: [
		stripDevOnlyCode(),
		startMockModeWhenReady(),
		tailwindcss(),
		sveltekit({
			compilerOptions: {
				// Force runes mode for the project, except for libraries. Can be removed in svelte 6.
				runes: ({ filename }) =>
					filename.split(/[/\\]/).includes('node_modules') ? undefined : true
			},
			// The origin is decided per request by server.js (see ARCHITECTURE.md, "Where it is served").
			adapter: adapter({ precompress: true }),
			csp: {
				mode: 'auto',
				directives: {
					'default-src': ['self'],
					'img-src': ['self', 'data:'],
					'style-src': ['self', 'unsafe-inline'],
					'object-src': ['none'],
					'frame-ancestors': ['none'],
					'base-uri': ['self'],
					'form-action': ['self']
				}
			}
		})
	],
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'server',
					environment: 'node',
					include: ['src/**/*.{test,spec}.{js,ts}'],
					exclude: [
						'src/**/*.svelte.{test,spec}.{js,ts}',
						// tests that need a PostgreSQL of their own run only in the PostgreSQL phase
						...(process.env.TEST_DATABASE_URL ? [] : ['src/**/*.pg.test.{js,ts}'])
					],
					testTimeout: 20_000,
					hookTimeout: 60_000
				}
			}
		]
	}
});
