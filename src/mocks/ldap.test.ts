import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client, SizeLimitExceededError } from 'ldapts';
import {
	createLdapDirectory,
	DirectoryError,
	testLdapConnection,
	type LdapSettings
} from '../lib/server/directory/index.js';
import { useLdapClientFactory } from '../lib/server/directory/ldap.js';
import { DEMO_PASSWORD } from '../lib/server/identity/seed.js';
import {
	createLdapMockFactory,
	isMockLdapUrl,
	listLdapOperations,
	MOCK_LDAP,
	MOCK_LDAP_USERS,
	resetLdapMock,
	setLdapScenario
} from './ldap.js';

beforeAll(() => useLdapClientFactory(createLdapMockFactory()));
afterAll(() => useLdapClientFactory(null));
beforeEach(() => resetLdapMock());

function settings(overrides: Partial<LdapSettings> = {}): LdapSettings {
	return {
		url: MOCK_LDAP.url,
		startTls: false,
		caPem: null,
		bindDn: MOCK_LDAP.bindDn,
		bindPassword: MOCK_LDAP.bindPassword,
		baseDn: MOCK_LDAP.baseDn,
		userFilter: MOCK_LDAP.userFilter,
		emailAttribute: MOCK_LDAP.emailAttribute,
		timeoutSeconds: 5,
		...overrides
	};
}

async function diagnosisOf(promise: Promise<unknown>) {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(DirectoryError);
	return (error as DirectoryError).diagnosis;
}

const alice = MOCK_LDAP_USERS.find((u) => u.username === 'alice')!;

describe('mock LDAP directory through the real createLdapDirectory', () => {
	it('authenticates alice with the demo password: mail, display name, entryUUID person key, no password', async () => {
		expect(alice.password).toBe(DEMO_PASSWORD);
		const user = await createLdapDirectory(settings()).authenticate('alice', DEMO_PASSWORD);
		expect(user).toMatchObject({
			username: 'alice',
			displayName: 'Alice Archer',
			email: 'alice@example.test',
			dn: 'uid=alice,ou=people,dc=example,dc=test',
			localUserId: null,
			personKey: 'uuid:5b0d7c1e-2f3a-4b6c-8d9e-a1b2c3d4e5f6'
		});
		expect(user!.attributes).toMatchObject({
			uid: ['alice'],
			cn: ['Alice Archer'],
			mail: ['alice@example.test'],
			entryUUID: ['5b0d7c1e-2f3a-4b6c-8d9e-a1b2c3d4e5f6']
		});
		expect(Object.keys(user!.attributes).some((name) => /password/i.test(name))).toBe(false);
		// what went over the "wire": service bind, the search, alice's bind, and the connection closed
		expect(listLdapOperations().map((o) => [o.op, o.dn ?? o.filter ?? '', o.outcome])).toEqual([
			['bind', MOCK_LDAP.bindDn, 'ok'],
			['search', '(uid=alice)', 'ok'],
			['bind', 'uid=alice,ou=people,dc=example,dc=test', 'ok'],
			['unbind', '', 'ok']
		]);
	});

	it('authenticates bob, who has no mail: email is null', async () => {
		const user = await createLdapDirectory(settings()).authenticate('bob', DEMO_PASSWORD);
		expect(user).toMatchObject({ username: 'bob', displayName: 'Bob Nomail', email: null });
		expect(user!.attributes.mail).toBeUndefined();
	});

	it('answers null for a wrong password and for an unknown user (the same answer)', async () => {
		const directory = createLdapDirectory(settings());
		expect(await directory.authenticate('alice', 'not the demo password')).toBeNull();
		expect(
			listLdapOperations()
				.filter((o) => o.op === 'bind')
				.map((o) => o.outcome)
		).toEqual(['ok', '49']);
		expect(await directory.authenticate('nobody', DEMO_PASSWORD)).toBeNull();
		expect(await directory.authenticate('alice', '')).toBeNull();
	});

	it('finds alice whatever the letter case, and looks her up without a password', async () => {
		const directory = createLdapDirectory(settings());
		expect(await directory.authenticate('ALICE', DEMO_PASSWORD)).toMatchObject({
			email: 'alice@example.test'
		});
		expect(await directory.lookup('bob')).toMatchObject({
			dn: 'uid=bob,ou=people,dc=example,dc=test',
			email: null
		});
	});

	it('cannot be steered by filter characters: the escaped filter reaches the directory and finds nobody', async () => {
		const directory = createLdapDirectory(settings());
		expect(await directory.authenticate('*)(uid=*', DEMO_PASSWORD)).toBeNull();
		expect(await directory.authenticate('*', DEMO_PASSWORD)).toBeNull();
		expect(await directory.authenticate('al*', DEMO_PASSWORD)).toBeNull();
		expect(await directory.lookup('*')).toBeNull();
		const searches = listLdapOperations().filter((o) => o.op === 'search');
		expect(searches[0]).toMatchObject({ filter: '(uid=\\2a\\29\\28uid=\\2a)', count: 0 });
		expect(searches.every((s) => s.count === 0)).toBe(true);
	});

	it('evaluates filters like a server: the unescaped injection would have matched everyone', async () => {
		const client = createLdapMockFactory()(settings())!;
		await client.bind(MOCK_LDAP.bindDn, MOCK_LDAP.bindPassword);
		const all = await client.search(MOCK_LDAP.baseDn, { scope: 'sub', filter: '(uid=*)' });
		expect(all.searchEntries.map((e) => e.dn)).toEqual([
			'uid=alice,ou=people,dc=example,dc=test',
			'uid=bob,ou=people,dc=example,dc=test'
		]);
		// multi-valued objectClass, And/Not, substring, presence
		const people = await client.search('dc=example,dc=test', {
			filter: '(&(objectClass=inetOrgPerson)(!(mail=*))(cn=B*))',
			attributes: ['cn']
		});
		expect(people.searchEntries).toEqual([
			{ dn: 'uid=bob,ou=people,dc=example,dc=test', cn: 'Bob Nomail' }
		]);
		// base scope, and ldapts' shape for requested attributes the entry lacks
		const base = await client.search('ou=people,dc=example,dc=test', {
			scope: 'base',
			attributes: ['ou', 'mail']
		});
		expect(base.searchEntries).toEqual([
			{ dn: 'ou=people,dc=example,dc=test', ou: 'people', mail: [] }
		]);
		// more entries than the size limit: ldapts' error with result code 4
		const limited = await client
			.search(MOCK_LDAP.baseDn, { filter: '(objectClass=person)', sizeLimit: 1 })
			.catch((e: unknown) => e);
		expect(limited).toBeInstanceOf(SizeLimitExceededError);
		expect((limited as SizeLimitExceededError).code).toBe(4);
		await client.unbind();
	});

	it('refuses several matches (size limit 2 of ldap.ts) rather than guessing', async () => {
		const several = settings({ userFilter: '(|(uid={username})(objectClass=inetOrgPerson))' });
		expect(await createLdapDirectory(several).authenticate('alice', DEMO_PASSWORD)).toBeNull();
		const result = await testLdapConnection(several, 'alice');
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.diagnosis.id).toBe('user-ambiguous');
	});

	it('uses StartTLS on ldap:// and answers on ldaps:// too', async () => {
		const viaStartTls = createLdapDirectory(settings({ startTls: true }));
		expect(await viaStartTls.authenticate('alice', DEMO_PASSWORD)).not.toBeNull();
		expect(listLdapOperations()[0]).toMatchObject({ op: 'starttls', outcome: 'ok' });
		const viaLdaps = createLdapDirectory(settings({ url: MOCK_LDAP.ldapsUrl }));
		expect(await viaLdaps.authenticate('alice', DEMO_PASSWORD)).not.toBeNull();
	});
});

describe('mock LDAP directory through the real testLdapConnection', () => {
	it('lists alice’s attributes and finds her mail', async () => {
		const result = await testLdapConnection(settings(), 'alice');
		expect(result).toMatchObject({
			ok: true,
			dn: 'uid=alice,ou=people,dc=example,dc=test',
			emailAttribute: 'mail',
			email: 'alice@example.test',
			emailPresent: true
		});
		if (!result.ok) return;
		expect(result.steps.map((s) => [s.id, s.ok])).toEqual([
			['bind', true],
			['base', true],
			['user', true]
		]);
		expect(Object.keys(result.attributes)).toEqual(
			expect.arrayContaining(['objectClass', 'uid', 'cn', 'sn', 'displayName', 'mail', 'entryUUID'])
		);
		expect(result.attributes.objectClass).toContain('inetOrgPerson');
	});

	it('says bob has no mail', async () => {
		const result = await testLdapConnection(settings(), 'bob');
		expect(result).toMatchObject({ ok: true, email: null, emailPresent: false });
	});

	it.each([
		['an unknown user', settings(), 'nobody', 'user-not-found', null],
		[
			'a missing base DN',
			settings({ baseDn: 'ou=gone,dc=example,dc=test' }),
			'alice',
			'no-such-object',
			'32'
		],
		[
			'a wrong service password',
			settings({ bindPassword: 'wrong' }),
			'alice',
			'bind-invalid-credentials',
			'49'
		],
		[
			'an unknown service DN',
			settings({ bindDn: 'cn=nobody,dc=example,dc=test' }),
			'alice',
			'bind-invalid-credentials',
			'49'
		],
		[
			'an anonymous search',
			settings({ bindDn: null, bindPassword: null }),
			'alice',
			'insufficient-access',
			'50'
		]
	])('diagnoses %s', async (_, broken, username, id, code) => {
		const result = await testLdapConnection(broken, username);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.diagnosis).toMatchObject({ id, code });
	});
});

describe('mock LDAP scenarios give the diagnoses of ldap-diagnose.ts', () => {
	it('bind-refused: the service bind gets 49', async () => {
		setLdapScenario('bind-refused');
		const result = await testLdapConnection(settings(), 'alice');
		expect(result).toMatchObject({
			ok: false,
			steps: [{ id: 'bind', ok: false }],
			diagnosis: { id: 'bind-invalid-credentials', phase: 'bind', code: '49' }
		});
		const signIn = await diagnosisOf(
			createLdapDirectory(settings()).authenticate('alice', DEMO_PASSWORD)
		);
		expect(signIn).toMatchObject({ id: 'bind-invalid-credentials', code: '49' });
	});

	it('unreachable: connection refused', async () => {
		setLdapScenario('unreachable');
		const result = await testLdapConnection(settings(), 'alice');
		expect(result).toMatchObject({
			ok: false,
			diagnosis: { id: 'connect-refused', code: 'ECONNREFUSED' }
		});
		expect(
			await diagnosisOf(createLdapDirectory(settings()).authenticate('alice', DEMO_PASSWORD))
		).toMatchObject({ id: 'connect-refused', code: 'ECONNREFUSED' });
		// nothing was connected, so nothing was unbound
		expect(listLdapOperations().some((o) => o.op === 'unbind')).toBe(false);
	});

	it('slow: answers after the delay', async () => {
		setLdapScenario('slow', { delayMs: 120 });
		const result = await testLdapConnection(settings(), 'alice');
		expect(result.ok).toBe(true);
		// three operations (bind, base, user), each delayed
		expect(result.durationMs).toBeGreaterThanOrEqual(3 * 110);
	});

	it('slow past the domain’s timeout: ldapts’ "Operation timed out"', async () => {
		setLdapScenario('slow', { delayMs: 60_000 });
		const started = Date.now();
		const result = await testLdapConnection(settings({ timeoutSeconds: 1 }), 'alice');
		expect(result).toMatchObject({ ok: false, diagnosis: { id: 'operation-timeout' } });
		expect(Date.now() - started).toBeLessThan(5_000);
	});

	it('back to success after a reset; an unknown scenario is refused', async () => {
		setLdapScenario('unreachable');
		resetLdapMock();
		expect((await testLdapConnection(settings(), 'alice')).ok).toBe(true);
		expect(() => setLdapScenario('no-such-scenario')).toThrow(/unknown LDAP scenario/);
	});
});

describe('the mock answers only for ldap.mock.test', () => {
	it('gives a mock client for ldap:// and ldaps:// on the mock host, none for others', () => {
		const factory = createLdapMockFactory();
		expect(isMockLdapUrl('ldap://ldap.mock.test')).toBe(true);
		expect(isMockLdapUrl('LDAPS://LDAP.MOCK.TEST:636/')).toBe(true);
		expect(isMockLdapUrl('ldap://ldap.mock.test.example.com')).toBe(false);
		expect(isMockLdapUrl('ldap://127.0.0.1:389')).toBe(false);
		expect(factory(settings())).toBeDefined();
		expect(factory(settings())).not.toBeInstanceOf(Client);
		expect(factory(settings({ url: 'ldap://ldap.example.com:389' }))).toBeUndefined();
	});

	it('leaves other URLs to the real ldapts client', async () => {
		// nothing listens on port 9 here: the real client's refused connection, not the mock's
		const result = await testLdapConnection(settings({ url: 'ldap://127.0.0.1:9' }), 'alice');
		expect(result).toMatchObject({ ok: false, diagnosis: { id: 'connect-refused' } });
		expect(listLdapOperations()).toEqual([]);
	});
});
