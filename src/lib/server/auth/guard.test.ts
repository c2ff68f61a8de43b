import { describe, expect, it } from 'vitest';
import { safeNextPath } from './guard.js';

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

	it('refuses control characters and backslashes anywhere (a browser reads /<tab>/evil as //evil)', () => {
		for (const next of [
			'/\t/evil.example',
			'/\n/evil.example',
			'/\r\n/evil.example',
			'/\u0000/evil.example',
			'/\u001b/evil.example',
			'/\u007f/evil.example',
			'/\u0085/evil.example',
			'/admin/\tx',
			'/a\\b',
			'/admin\\..\\..\\evil.example',
			'//',
			'///evil.example'
		])
			expect(safeNextPath(next), JSON.stringify(next)).toBe('/admin');
		// what ?next=/%09/evil becomes once the query string is decoded
		expect(safeNextPath(new URLSearchParams('next=/%09/evil').get('next'))).toBe('/admin');
		// encoded characters stay encoded in the path: harmless, and kept
		expect(safeNextPath('/admin/audit?q=%09%2F%2F')).toBe('/admin/audit?q=%09%2F%2F');
		expect(safeNextPath('/admin/users?domain=x#top')).toBe('/admin/users?domain=x#top');
	});
});
