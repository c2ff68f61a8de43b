/**
 * Universal hooks (server and browser).
 *
 * reroute: production builds have no mock-mode routes. postern:strip-dev-only-code (vite.config.ts) already
 * replaces their code with stubs and drops them from the browser's route list; here every request for them,
 * whatever its method, is sent to a path no route matches, so the answer is 404, the same as for any path that
 * never existed (a stub page would answer 405 to a POST, which tells that something lives there).
 */
import { dev } from '$app/env';
import type { Reroute } from '@sveltejs/kit/hooks';
import { isDevOnlyPath } from '#lib/dev-only-paths.js';

/** Matches no route: there is no catch-all route. */
const NO_ROUTE = '/__postern-no-route__';

export const reroute: Reroute = ({ url }) => {
	if (!dev && isDevOnlyPath(url.pathname)) return NO_ROUTE;
};
