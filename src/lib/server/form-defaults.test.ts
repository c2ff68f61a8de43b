import { describe, expect, it } from 'vitest';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { domainFormDefaults, domainSchema } from '../schemas/domains.js';
import { fillMissingFields } from './form-defaults.js';

describe('fillMissingFields', () => {
	it('gives a union form every branch’s fields, keeping the chosen branch’s values', async () => {
		const adapter = zod4(domainSchema, { defaults: domainFormDefaults });
		const form = await superValidate(
			{ ...domainFormDefaults, kind: 'local', name: 'Staff' },
			adapter,
			{
				errors: false
			}
		);
		// what the adapter alone hands over: the local branch only (the LDAP fields the editor binds are missing)
		expect(Object.keys(form.data)).not.toContain('url');
		const filled = fillMissingFields(form.data, domainFormDefaults);
		expect(Object.keys(filled).sort()).toEqual(Object.keys(domainFormDefaults).sort());
		expect(filled).toMatchObject({ kind: 'local', name: 'Staff' });
		expect(Object.values(filled)).not.toContain(undefined);
	});

	it('replaces undefined and null, never a value', () => {
		const defaults = { a: '', b: 'x', c: 0, d: false };
		expect(
			fillMissingFields({ a: 'kept', b: undefined, c: null, d: true } as never, defaults)
		).toEqual({ a: 'kept', b: 'x', c: 0, d: true });
	});
});
