import { describe, expect, it } from 'vitest';
import { superValidate } from 'sveltekit-superforms';
import { zod4, zod4Client } from 'sveltekit-superforms/adapters';
import { domainFormDefaults, domainSchema, isBalancedFilter, ldapTestSchema } from './domains.js';

const adapter = zod4(domainSchema, { defaults: domainFormDefaults });
const GENERATOR = '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d';

function post(fields: Record<string, string | undefined>) {
	const data = new FormData();
	for (const [name, value] of Object.entries(fields))
		if (value !== undefined) data.set(name, value);
	return data;
}

const ldapFields = {
	kind: 'ldap',
	name: 'Corporate',
	otpGeneratorId: GENERATOR,
	emailAttribute: 'mail',
	url: 'ldaps://ldap.example.com:636',
	caPem: '',
	bindDn: 'cn=reader,dc=example,dc=com',
	bindPassword: '',
	baseDn: 'ou=people,dc=example,dc=com',
	userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
	timeoutSeconds: '10'
};

describe('domain form through superValidate (FormData)', () => {
	it('starts as a local domain with the email attribute', async () => {
		const form = await superValidate(adapter);
		expect(form.data).toMatchObject({ kind: 'local', emailAttribute: 'email', isTest: false });
	});

	it('accepts a local test domain without tokens, dropping LDAP fields', async () => {
		const form = await superValidate(
			post({
				kind: 'local',
				name: 'Sandbox',
				isTest: 'on',
				otpGeneratorId: '',
				emailAttribute: 'email',
				url: 'x'
			}),
			adapter
		);
		expect(form.valid).toBe(true);
		expect(form.data).toEqual({
			kind: 'local',
			name: 'Sandbox',
			isTest: true,
			otpGeneratorId: '',
			emailAttribute: 'email'
		});
	});

	it('accepts an LDAP domain; a blank bind password is allowed (keep the stored one)', async () => {
		const form = await superValidate(post(ldapFields), adapter);
		expect(form.valid).toBe(true);
		expect(form.data).toMatchObject({
			kind: 'ldap',
			url: 'ldaps://ldap.example.com:636',
			startTls: false,
			bindPassword: '',
			timeoutSeconds: 10
		});
	});

	it.each([
		['url', 'http://ldap.example.com'],
		['url', 'ldap://ldap.example.com/dc=example,dc=com'],
		['url', 'ldap://ldap example.com'],
		['userFilter', '(uid=alice)'],
		['userFilter', 'uid={username}'],
		['userFilter', '(uid={username}))('],
		['baseDn', ''],
		['emailAttribute', 'e mail'],
		['emailAttribute', 'mail\r\nX: y'],
		['otpGeneratorId', 'not-a-uuid'],
		['timeoutSeconds', '0'],
		['caPem', '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----']
	])('refuses %s = %j', async (field, value) => {
		const form = await superValidate(post({ ...ldapFields, [field]: value }), adapter);
		expect(form.valid).toBe(false);
		expect(Object.keys(form.errors)).toContain(field);
	});

	it('says what is missing when LDAP fields are blank', async () => {
		const form = await superValidate(
			post({ ...ldapFields, url: '', baseDn: '', userFilter: '' }),
			adapter
		);
		expect(form.errors.url).toEqual(['Enter the LDAP server URL.']);
		expect(form.errors.baseDn).toEqual(['Enter the base DN users are searched under.']);
		expect(form.errors.userFilter).toEqual(['Enter the user filter.']);
	});

	it('refuses StartTLS on an ldaps:// URL, allows it on ldap://', async () => {
		const bad = await superValidate(post({ ...ldapFields, startTls: 'on' }), adapter);
		expect(bad.errors.startTls?.[0]).toMatch(/StartTLS is for ldap:\/\//);
		const good = await superValidate(
			post({ ...ldapFields, url: 'ldap://10.0.0.5:389', startTls: 'on' }),
			adapter
		);
		expect(good.valid).toBe(true);
		expect(good.data).toMatchObject({ startTls: true });
	});

	it('refuses CR/LF in the name', async () => {
		const form = await superValidate(
			post({ kind: 'local', name: 'A\r\nB', emailAttribute: 'email' }),
			adapter
		);
		expect(form.errors.name).toEqual(['Name must be on one line.']);
	});

	it('validates the same in the browser (zod4Client)', async () => {
		const client = zod4Client(domainSchema);
		expect((await client.validate({ ...domainFormDefaults, name: 'Main' })).success).toBe(true);
		expect(
			(await client.validate({ ...domainFormDefaults, kind: 'ldap', name: 'X' })).success
		).toBe(false);
	});

	it('test connection takes a username', async () => {
		const a = zod4(ldapTestSchema);
		expect((await superValidate(post({ username: 'alice' }), a)).valid).toBe(true);
		expect((await superValidate(post({ username: '' }), a)).valid).toBe(false);
	});

	it('isBalancedFilter', () => {
		expect(isBalancedFilter('(uid={username})')).toBe(true);
		expect(isBalancedFilter('(&(a=b)(|(uid={username})(mail={username})))')).toBe(true);
		expect(isBalancedFilter('(cn=a\\29b)')).toBe(true);
		expect(isBalancedFilter('(a=b)(c=d)')).toBe(false);
		expect(isBalancedFilter('((a=b)')).toBe(false);
	});
});
