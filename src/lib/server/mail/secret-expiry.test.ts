import { describe, expect, it } from 'vitest';
import { classifySecretExpiry } from './servers.js';

describe('classifySecretExpiry', () => {
	const now = new Date('2027-01-15T12:00:00Z');
	it.each([
		[null, null],
		['2027-01-14', 'expired'],
		['2027-01-15', 'expiring'],
		['2027-02-14', 'expiring'],
		['2027-02-15', 'ok'],
		['2027-02-20', 'ok'],
		['not a date', null]
	])('%s → %s', (date, expected) => {
		expect(classifySecretExpiry(date, now)).toBe(expected);
	});
});
