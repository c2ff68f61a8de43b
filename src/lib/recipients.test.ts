import { describe, expect, it } from 'vitest';
import { parseRecipientList } from './recipients.js';

describe('parseRecipientList', () => {
	it('lower-cases, trims and de-duplicates', () => {
		expect(parseRecipientList(' Ops@Example.com, ops@example.COM ,alerts@example.org,')).toEqual({
			ok: true,
			recipients: ['ops@example.com', 'alerts@example.org']
		});
	});
	it('names the bad entry', () => {
		expect(parseRecipientList('ops@example.com, not-an-address, x@y.z')).toEqual({
			ok: false,
			error: '"not-an-address" is not an e-mail address.'
		});
	});
	it('refuses line breaks (header injection)', () => {
		expect(parseRecipientList('a@example.com\r\nBcc: evil@example.com').ok).toBe(false);
	});
	it('accepts an empty list', () => {
		expect(parseRecipientList('  ')).toEqual({ ok: true, recipients: [] });
	});
});
