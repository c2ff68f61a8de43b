import { describe, expect, it } from 'vitest';
import { isDevOnlyPath } from './dev-only-paths.js';

describe('isDevOnlyPath', () => {
	it.each(['/dev', '/dev/', '/dev/mailbox', '/dev/mailbox/events', '/dev/faults'])(
		'%s is a mock-mode path',
		(path) => expect(isDevOnlyPath(path)).toBe(true)
	);

	it('sees the path as SvelteKit matches it: decoded', () => {
		expect(isDevOnlyPath('/%64ev/faults')).toBe(true);
		expect(isDevOnlyPath('/dev/%66aults')).toBe(true);
		expect(isDevOnlyPath('/%64%65%76')).toBe(true);
	});

	it.each(['/', '/devices', '/developer/dev', '/admin/dev', '/admin/smtp-servers', '/%2564ev'])(
		'%s is not',
		(path) => expect(isDevOnlyPath(path)).toBe(false)
	);

	it('a malformed escape is not a dev path (SvelteKit refuses it itself)', () => {
		expect(isDevOnlyPath('/%E0%A4%A/dev')).toBe(false);
	});
});
