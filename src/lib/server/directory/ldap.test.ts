import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { startSlapd, type SlapdServer } from '../testing/slapd.js';
import {
	buildUserFilter,
	createLdapDirectory,
	escapeFilterValue,
	testLdapConnection
} from './ldap.js';
import { DirectoryError, type LdapSettings } from './types.js';

let slapd: SlapdServer;
beforeAll(async () => {
	slapd = await startSlapd({ tls: true });
});
afterAll(async () => {
	await slapd?.stop();
});

function settings(overrides: Partial<LdapSettings> = {}): LdapSettings {
	return {
		url: slapd.url,
		startTls: false,
		caPem: null,
		bindDn: slapd.bindDn,
		bindPassword: slapd.bindPassword,
		baseDn: slapd.baseDn,
		userFilter: slapd.userFilter,
		emailAttribute: 'mail',
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

describe('filter escaping (RFC 4515)', () => {
	it('escapes * ( ) \\ and NUL, and leaves the rest', () => {
		expect(escapeFilterValue('a*b(c)d\\e\0f')).toBe('a\\2ab\\28c\\29d\\5ce\\00f');
		expect(escapeFilterValue('jöhn.doe@example.com')).toBe('jöhn.doe@example.com');
		expect(buildUserFilter('(|(uid={username})(mail={username}))', 'x)(uid=*')).toBe(
			'(|(uid=x\\29\\28uid=\\2a)(mail=x\\29\\28uid=\\2a))'
		);
	});
});

describe('LDAP directory against slapd', () => {
	it('authenticates a user with mail: attributes, display name, stable person key, no password attribute', async () => {
		const alice = slapd.user('alice');
		const user = await createLdapDirectory(settings()).authenticate('alice', alice.password);
		expect(user).not.toBeNull();
		expect(user).toMatchObject({
			username: 'alice',
			displayName: 'Alice Archer',
			email: 'alice@postern.test',
			dn: alice.dn,
			localUserId: null
		});
		expect(user!.personKey).toMatch(/^uuid:[0-9a-f-]{36}$/);
		expect(user!.attributes.uid).toEqual(['alice']);
		expect(Object.keys(user!.attributes).some((name) => /password/i.test(name))).toBe(false);
	});

	it('authenticates a user without mail: email is null', async () => {
		const user = await createLdapDirectory(settings()).authenticate(
			'bob',
			slapd.user('bob').password
		);
		expect(user).toMatchObject({ username: 'bob', email: null, displayName: 'Bob Nomail' });
	});

	it('answers null for a wrong password, an unknown user and an empty password', async () => {
		const directory = createLdapDirectory(settings());
		expect(await directory.authenticate('alice', 'wrong-password')).toBeNull();
		expect(await directory.authenticate('nobody', 'whatever-password')).toBeNull();
		expect(await directory.authenticate('alice', '')).toBeNull();
		expect(await directory.authenticate('', 'x')).toBeNull();
	});

	it('finds the same person (same person key) whatever the letter case', async () => {
		const directory = createLdapDirectory(settings());
		const lower = await directory.authenticate('alice', slapd.user('alice').password);
		const upper = await directory.authenticate('ALICE', slapd.user('alice').password);
		expect(upper?.personKey).toBe(lower?.personKey);
	});

	it('cannot be steered by filter characters in the username', async () => {
		const directory = createLdapDirectory(settings());
		const alicePassword = slapd.user('alice').password;
		expect(await directory.authenticate('*', alicePassword)).toBeNull();
		expect(await directory.authenticate('al*', alicePassword)).toBeNull();
		expect(await directory.authenticate('alice)(uid=*', alicePassword)).toBeNull();
		expect(await directory.lookup('*')).toBeNull();
		// A uid that really contains the characters is found literally.
		const carol = slapd.user('carol(*)');
		expect(await directory.authenticate('carol(*)', carol.password)).toMatchObject({
			dn: carol.dn,
			email: 'carol@postern.test'
		});
		expect(await directory.lookup('carol(x)')).toBeNull();
	});

	it('refuses to pick when the filter matches several entries', async () => {
		const directory = createLdapDirectory(
			settings({ userFilter: '(|(uid={username})(objectClass=inetOrgPerson))' })
		);
		expect(await directory.authenticate('alice', slapd.user('alice').password)).toBeNull();
		const result = await testLdapConnection(
			settings({ userFilter: '(|(uid={username})(objectClass=inetOrgPerson))' }),
			'alice'
		);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.diagnosis.id).toBe('user-ambiguous');
	});

	it('looks a user up without a password', async () => {
		const user = await createLdapDirectory(settings()).lookup('bob');
		expect(user).toMatchObject({ dn: slapd.user('bob').dn, email: null });
	});

	it('uses StartTLS with the CA, and ldaps:// with the CA', async () => {
		const password = slapd.user('alice').password;
		const viaStartTls = createLdapDirectory(settings({ startTls: true, caPem: slapd.caPem }));
		expect(await viaStartTls.authenticate('alice', password)).not.toBeNull();
		const viaLdaps = createLdapDirectory(settings({ url: slapd.ldapsUrl!, caPem: slapd.caPem }));
		expect(await viaLdaps.authenticate('alice', password)).not.toBeNull();
	});

	it('throws a diagnosis when the server certificate is not trusted', async () => {
		const password = slapd.user('alice').password;
		const startTls = await diagnosisOf(
			createLdapDirectory(settings({ startTls: true })).authenticate('alice', password)
		);
		expect(startTls).toMatchObject({ id: 'tls-untrusted', phase: 'tls' });
		const ldaps = await diagnosisOf(
			createLdapDirectory(settings({ url: slapd.ldapsUrl! })).authenticate('alice', password)
		);
		expect(ldaps.id).toBe('tls-untrusted');
	});

	it('throws a diagnosis for a wrong service password (49)', async () => {
		const diagnosis = await diagnosisOf(
			createLdapDirectory(settings({ bindPassword: 'wrong' })).authenticate('alice', 'x-password')
		);
		expect(diagnosis).toMatchObject({ id: 'bind-invalid-credentials', code: '49' });
	});

	it('throws a diagnosis when nothing listens', async () => {
		const port = await closedPort();
		const diagnosis = await diagnosisOf(
			createLdapDirectory(settings({ url: `ldap://127.0.0.1:${port}` })).lookup('alice')
		);
		expect(diagnosis).toMatchObject({ id: 'connect-refused', code: 'ECONNREFUSED' });
	});
});

describe('testLdapConnection', () => {
	it('reports the attributes found and that the e-mail attribute is there', async () => {
		const result = await testLdapConnection(settings(), 'alice');
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result).toMatchObject({
			dn: slapd.user('alice').dn,
			emailAttribute: 'mail',
			email: 'alice@postern.test',
			emailPresent: true
		});
		expect(result.attributes.cn).toEqual(['Alice Archer']);
		expect(result.attributes.userPassword).toBeUndefined();
		expect(result.steps.map((s) => [s.id, s.ok])).toEqual([
			['bind', true],
			['base', true],
			['user', true]
		]);
	});

	it('says when the e-mail attribute is missing', async () => {
		const result = await testLdapConnection(settings(), 'bob');
		expect(result).toMatchObject({ ok: true, emailPresent: false, email: null });
		const otherAttribute = await testLdapConnection(settings({ emailAttribute: 'email' }), 'alice');
		expect(otherAttribute).toMatchObject({ ok: true, emailPresent: false });
	});

	it('runs StartTLS first when asked', async () => {
		const result = await testLdapConnection(
			settings({ startTls: true, caPem: slapd.caPem }),
			'alice'
		);
		expect(result.ok).toBe(true);
		expect(result.steps[0]).toMatchObject({ id: 'starttls', ok: true });
	});

	it.each([
		['wrong bind password', { bindPassword: 'nope' }, 'bind-invalid-credentials', 'bind'],
		['unknown base DN', { baseDn: 'ou=nowhere,dc=postern,dc=test' }, 'no-such-object', 'base'],
		[
			'anonymous search (ACL hides the tree)',
			{ bindDn: null, bindPassword: null },
			'no-such-object',
			'base'
		],
		['untrusted certificate', { startTls: true }, 'tls-untrusted', 'starttls']
	] as const)('diagnoses %s', async (_, overrides, id, failedStep) => {
		const result = await testLdapConnection(settings(overrides), 'alice');
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.diagnosis.id).toBe(id);
		expect(result.steps.at(-1)).toMatchObject({ id: failedStep, ok: false });
		expect(result.diagnosis.title.length).toBeGreaterThan(5);
		expect(result.diagnosis.fix.length).toBeGreaterThan(5);
	});

	it('diagnoses an unknown user with the filter used', async () => {
		const result = await testLdapConnection(settings(), 'zed');
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.diagnosis.id).toBe('user-not-found');
		expect(result.diagnosis.explanation).toContain('(&(objectClass=inetOrgPerson)(uid=zed))');
	});

	it('diagnoses refused connections and protocol mix-ups', async () => {
		const refused = await testLdapConnection(
			settings({ url: `ldap://127.0.0.1:${await closedPort()}` }),
			'alice'
		);
		expect(refused.ok === false && refused.diagnosis.id).toBe('connect-refused');
		// ldaps:// to the plain port: the TLS handshake meets an LDAP server.
		const tlsToPlain = await testLdapConnection(
			settings({ url: slapd.url.replace('ldap:', 'ldaps:'), caPem: slapd.caPem }),
			'alice'
		);
		expect(tlsToPlain.ok).toBe(false);
		if (!tlsToPlain.ok)
			expect(['tls-not-tls', 'connection-closed', 'tls-other']).toContain(tlsToPlain.diagnosis.id);
		// ldap:// to the ldaps port: the server waits for a handshake and hangs up.
		const plainToTls = await testLdapConnection(
			settings({ url: slapd.ldapsUrl!.replace('ldaps:', 'ldap:'), timeoutSeconds: 2 }),
			'alice'
		);
		expect(plainToTls.ok).toBe(false);
		if (!plainToTls.ok)
			expect(['connection-closed', 'operation-timeout']).toContain(plainToTls.diagnosis.id);
	});

	it('diagnoses a server that accepts the connection but never answers', async () => {
		const silent = await silentServer();
		try {
			const result = await testLdapConnection(
				settings({ url: `ldap://127.0.0.1:${silent.port}`, timeoutSeconds: 1 }),
				'alice'
			);
			expect(result.ok === false && result.diagnosis.id).toBe('operation-timeout');
		} finally {
			await silent.close();
		}
	});
});

/** A port nothing listens on (taken, then released). */
function closedPort(): Promise<number> {
	return new Promise((resolve) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
		});
	});
}

async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
	const sockets = new Set<import('node:net').Socket>();
	const server: Server = createServer((socket) => {
		sockets.add(socket);
		socket.on('error', () => {});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	return {
		port: typeof address === 'object' && address ? address.port : 0,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			})
	};
}
