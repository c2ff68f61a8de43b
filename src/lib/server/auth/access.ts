/**
 * Who may reach a console route, decided from the route SvelteKit matched (its id), never from the raw URL:
 * SvelteKit routes on the decoded path, so `/%61dmin/audit` or `/admin//audit` reach `/admin/audit` while a
 * test of `url.pathname` sees another string. One decision for pages, their `__data.json`, form actions and
 * endpoints; roles.ts says what each role may do.
 */
import { actionPermission, can, type Permission, type Role } from '../../roles.js';

/** Console routes that work signed out: the reset link arrives by e-mail, before any session exists. */
const PUBLIC_CONSOLE_ROUTES = new Set(['/admin/login', '/admin/forgot', '/admin/reset']);

/** Routes that work before the first admin exists. */
const SETUP_EXEMPT_ROUTES = new Set(['/setup', '/healthz', '/metrics', '/password-check']);

/** The route id without `(group)` segments, which do not appear in URLs. */
function withoutGroups(routeId: string) {
	return routeId.replace(/\/\([^/)]*\)/g, '') || '/';
}

export function isConsoleRoute(routeId: string | null): boolean {
	if (routeId === null) return false;
	const id = withoutGroups(routeId);
	return id === '/admin' || id.startsWith('/admin/');
}

export function isPublicConsoleRoute(routeId: string | null): boolean {
	return routeId !== null && PUBLIC_CONSOLE_ROUTES.has(withoutGroups(routeId));
}

/**
 * Whether a request must wait for first-run setup. A request that matched no route (a static file, a 404)
 * passes: it reaches no data.
 */
export function needsSetupFirst(routeId: string | null): boolean {
	return routeId !== null && !SETUP_EXEMPT_ROUTES.has(withoutGroups(routeId));
}

/**
 * The form actions a POST names: every `?/name` key. SvelteKit acts on the first one; checking them all means
 * no difference in how a query string is read can pick an action that was not checked.
 */
export function requestedActions(url: URL): string[] {
	const names = [...url.searchParams.keys()]
		.filter((k) => k.startsWith('/'))
		.map((k) => k.slice(1));
	return names.length ? names : ['default'];
}

/** What a request to a console route needs. */
export function requiredPermissions(routeId: string, method: string, url: URL): Permission[] {
	const id = withoutGroups(routeId);
	if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return ['read'];
	// Pages take only POST (SvelteKit answers 405 to the rest); an endpoint's write needs an admin.
	if (method !== 'POST') return ['configure'];
	return requestedActions(url).map((action) => actionPermission(id, action));
}

export type ConsoleAccess =
	| { allowed: true }
	| { allowed: false; reason: 'signed-out' }
	| { allowed: false; reason: 'forbidden'; permission: Permission };

export function decideConsoleAccess(input: {
	routeId: string | null;
	method: string;
	url: URL;
	role: Role | null;
}): ConsoleAccess {
	const { routeId, method, url, role } = input;
	if (!isConsoleRoute(routeId) || isPublicConsoleRoute(routeId)) return { allowed: true };
	if (!role) return { allowed: false, reason: 'signed-out' };
	for (const permission of requiredPermissions(routeId!, method, url))
		if (!can(role, permission)) return { allowed: false, reason: 'forbidden', permission };
	return { allowed: true };
}
