/**
 * `test` for specs that run against a Postern instance of their own (fresh data folder, optional settings):
 * the instance lives as long as the worker, and `baseURL`, `page` and `request` point at it.
 */
import { test as base } from '@playwright/test';
import { startPostern, type Postern } from './postern.js';

export function testWithOwnServer(name: string, env: Record<string, string> = {}) {
	return base.extend<object, { server: Postern }>({
		server: [
			// eslint-disable-next-line no-empty-pattern
			async ({}, use) => {
				const server = await startPostern(name, { env });
				await use(server);
				await server.stop();
			},
			{ scope: 'worker', timeout: 90_000 }
		],
		baseURL: async ({ server }, use) => use(server.url)
	});
}

export { expect } from '@playwright/test';
