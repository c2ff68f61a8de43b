import { describe, expect, it } from 'vitest';
import { ACTION_PERMISSIONS, can } from '../../roles.js';
import { listRoutes } from '../testing/routes.js';
import {
	decideConsoleAccess,
	isConsoleRoute,
	isPublicConsoleRoute,
	needsSetupFirst,
	requestedActions
} from './access.js';

const routes = listRoutes();
const consoleActions = routes
	.filter((r) => isConsoleRoute(r.id) && !isPublicConsoleRoute(r.id))
	.flatMap((r) => r.actions.map((action) => ({ route: r.id, action })));

function url(search = '') {
	return new URL(`http://postern.test/x${search}`);
}

describe('console routes', () => {
	it('are known by route id, groups ignored', () => {
		expect(isConsoleRoute('/admin')).toBe(true);
		expect(isConsoleRoute('/admin/audit')).toBe(true);
		expect(isConsoleRoute('/(console)/admin/audit')).toBe(true);
		for (const id of [null, '/', '/administrator', '/login', '/portal', '/setup'])
			expect(isConsoleRoute(id), String(id)).toBe(false);
	});

	it('leave only sign-in, forgot-password and the reset link open', () => {
		const open = routes.filter((r) => isPublicConsoleRoute(r.id)).map((r) => r.id);
		expect(open.sort()).toEqual(['/admin/forgot', '/admin/login', '/admin/reset']);
	});

	it('let setup and health through before setup, and nothing else that matched a route', () => {
		expect(needsSetupFirst('/setup')).toBe(false);
		expect(needsSetupFirst('/healthz')).toBe(false);
		expect(needsSetupFirst(null)).toBe(false);
		for (const id of ['/', '/admin', '/admin/login', '/login', '/portal'])
			expect(needsSetupFirst(id), id).toBe(true);
	});
});

describe('decideConsoleAccess', () => {
	it('sends a signed-out request to sign in on every console route, whatever the method', () => {
		for (const route of routes.filter((r) => isConsoleRoute(r.id) && !isPublicConsoleRoute(r.id)))
			for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'])
				expect(
					decideConsoleAccess({ routeId: route.id, method, url: url(), role: null }),
					`${method} ${route.id}`
				).toEqual({ allowed: false, reason: 'signed-out' });
	});

	it('lets both roles read every console page', () => {
		for (const route of routes.filter((r) => isConsoleRoute(r.id)))
			for (const role of ['admin', 'support'] as const)
				expect(
					decideConsoleAccess({ routeId: route.id, method: 'GET', url: url(), role }).allowed
				).toBe(true);
	});

	it('classifies every console form action in src/routes (a new one must be added to roles.ts)', () => {
		expect(consoleActions.length).toBeGreaterThan(30);
		const missing = consoleActions.filter(
			({ route, action }) => !Object.hasOwn(ACTION_PERMISSIONS[route] ?? {}, action)
		);
		expect(missing).toEqual([]);
	});

	it('lets the admin do every action, and support only what its role allows', () => {
		for (const { route, action } of consoleActions) {
			const search = action === 'default' ? '' : `?/${action}`;
			const asAdmin = decideConsoleAccess({
				routeId: route,
				method: 'POST',
				url: url(search),
				role: 'admin'
			});
			expect(asAdmin.allowed, `admin ${route} ${action}`).toBe(true);
			const asSupport = decideConsoleAccess({
				routeId: route,
				method: 'POST',
				url: url(search),
				role: 'support'
			});
			expect(asSupport.allowed, `support ${route} ${action}`).toBe(
				can('support', ACTION_PERMISSIONS[route][action])
			);
		}
	});

	it('never lets support change an account, the site mail route, or delete', () => {
		const refused = [
			['/admin/site', 'accounts'],
			['/admin/site', 'emails'],
			['/admin/site', 'smtpSave'],
			['/admin/site', 'smtpOn'],
			['/admin/site', 'smtpOff'],
			['/admin/site', 'recipients'],
			['/admin/smtp-servers', 'delete'],
			['/admin/smtp-servers/[id]', 'save'],
			['/admin/users/[id]', 'delete'],
			['/admin/users/[id]', 'password'],
			['/admin/domains', 'delete']
		];
		for (const [route, action] of refused)
			expect(
				decideConsoleAccess({
					routeId: route,
					method: 'POST',
					url: url(`?/${action}`),
					role: 'support'
				}),
				`${route} ${action}`
			).toMatchObject({ allowed: false, reason: 'forbidden' });
		for (const [route, action] of [
			['/admin/site', 'smtpTest'],
			// the acting account's own codes
			['/admin/site', 'codes'],
			['/admin/smtp-servers/[id]', 'test'],
			['/admin/account', 'password'],
			['/admin/account', 'codes'],
			['/admin/logout', 'default']
		])
			expect(
				decideConsoleAccess({
					routeId: route,
					method: 'POST',
					url: url(action === 'default' ? '' : `?/${action}`),
					role: 'support'
				}).allowed,
				`${route} ${action}`
			).toBe(true);
	});

	it('checks every action a query string names, so a second one cannot ride on an allowed one', () => {
		expect(requestedActions(url('?/smtpTest&/accounts'))).toEqual(['smtpTest', 'accounts']);
		expect(
			decideConsoleAccess({
				routeId: '/admin/site',
				method: 'POST',
				url: url('?/smtpTest&/accounts'),
				role: 'support'
			}).allowed
		).toBe(false);
		// an action nobody classified, or a name from Object.prototype, is the admin's alone
		for (const name of ['brandNew', 'constructor', '__proto__', 'toString'])
			expect(
				decideConsoleAccess({
					routeId: '/admin/account',
					method: 'POST',
					url: url(`?/${name}`),
					role: 'support'
				}).allowed,
				name
			).toBe(false);
	});

	it('refuses writes other than POST to support (endpoints)', () => {
		for (const method of ['PUT', 'PATCH', 'DELETE'])
			expect(
				decideConsoleAccess({ routeId: '/admin/audit', method, url: url(), role: 'support' })
					.allowed
			).toBe(false);
	});

	it('leaves routes outside the console alone', () => {
		for (const id of [null, '/login', '/portal', '/setup', '/admin/login'])
			expect(decideConsoleAccess({ routeId: id, method: 'POST', url: url(), role: null })).toEqual({
				allowed: true
			});
	});
});
