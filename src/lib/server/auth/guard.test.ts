import { describe, expect, it } from 'vitest';
import { isPublicAdminPath, isSetupExemptPath, safeNextPath } from './guard.js';

describe('public paths', () => {
	it('leave only sign-in and forgot-password open in the console', () => {
		expect(isPublicAdminPath('/admin/login')).toBe(true);
		expect(isPublicAdminPath('/admin/login/')).toBe(true);
		expect(isPublicAdminPath('/admin/forgot')).toBe(true);
		for (const path of [
			'/admin',
			'/admin/',
			'/admin/account',
			'/admin/audit',
			'/admin/logout',
			'/admin/login/x',
			'/admin/loginx'
		])
			expect(isPublicAdminPath(path), path).toBe(false);
	});

	it('leave setup, health and assets reachable before setup', () => {
		for (const path of ['/setup', '/healthz', '/_app/immutable/x.js', '/favicon.svg'])
			expect(isSetupExemptPath(path), path).toBe(true);
		for (const path of ['/', '/admin', '/admin/login', '/setup/x', '/healthz/x'])
			expect(isSetupExemptPath(path), path).toBe(false);
	});
});

describe('safeNextPath', () => {
	it('follows same-site paths only', () => {
		expect(safeNextPath('/admin/audit?page=2')).toBe('/admin/audit?page=2');
		for (const next of [
			null,
			'',
			'admin',
			'//evil.example',
			'/\\evil.example',
			'https://evil.example',
			'javascript:alert(1)'
		])
			expect(safeNextPath(next), String(next)).toBe('/admin');
	});
});
