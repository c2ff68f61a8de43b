/**
 * The stored LDAP bind password is reused (blank field) only for the destination it was saved for: same URL,
 * bind DN, StartTLS and CA certificate, on save and on "Test connection". No directory is contacted here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { openSecret } from '../secrets.js';
import type { LdapDomainForm } from '../../schemas/domains.js';
import { createDomain, findDomainRow, resolveLdapTestSettings, updateDomain } from './domains.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

const admin = { actor: 'alice', ip: '192.0.2.1' };
const BIND_PASSWORD = 'bind-password-7f3a';
const CA = [
	'-----BEGIN CERTIFICATE-----',
	'MIIBszCCAVmgAwIBAgIUQ2FBY2VydGlmaWNhdGVPZlRoZURpcmVjdG9yeTAKBggq',
	'-----END CERTIFICATE-----'
].join('\n');
const OTHER_CA = CA.replace('Q2FB', 'RXZp');

const ldap = (extra: Partial<LdapDomainForm> = {}): LdapDomainForm => ({
	kind: 'ldap',
	name: 'Directory',
	isTest: false,
	otpGeneratorId: '',
	emailAttribute: 'mail',
	url: 'ldap://ldap.example.test:389',
	startTls: true,
	caPem: CA,
	bindDn: 'cn=reader,dc=example,dc=test',
	bindPassword: BIND_PASSWORD,
	baseDn: 'dc=example,dc=test',
	userFilter: '(uid={username})',
	timeoutSeconds: 5,
	...extra
});

async function savedDomain(extra: Partial<LdapDomainForm> = {}) {
	const created = await createDomain(ldap(extra), admin);
	if (!created.ok) throw new Error(created.message);
	return created.domain.id;
}

const retype = (what: string) => ({
	ok: false,
	field: 'bindPassword',
	code: 'secret_retype',
	message: `You changed the ${what}: type the bind password again. A stored bind password is only reused for the destination it was saved for.`
});

describe('the stored bind password and StartTLS / the CA certificate', () => {
	it('is not reused once StartTLS is switched off (it would travel in clear on ldap://)', async () => {
		const id = await savedDomain();
		const form = ldap({ startTls: false, bindPassword: '' });
		expect(await updateDomain(id, form, admin)).toMatchObject(retype('StartTLS setting'));
		expect(await resolveLdapTestSettings(form, id)).toMatchObject(retype('StartTLS setting'));
		// nothing was saved
		expect((await findDomainRow(id))!.ldapStartTls).toBe(true);
	});

	it('is not reused with another CA certificate, or with none', async () => {
		const id = await savedDomain();
		for (const caPem of [OTHER_CA, '', '   \n'])
			for (const attempt of [
				updateDomain(id, ldap({ caPem, bindPassword: '' }), admin),
				resolveLdapTestSettings(ldap({ caPem, bindPassword: '' }), id)
			])
				expect(await attempt, JSON.stringify(caPem)).toMatchObject(retype('CA certificate'));
		// nor when a CA is added where none was
		const withoutCa = await savedDomain({ name: 'No CA', caPem: '' });
		expect(
			await resolveLdapTestSettings(ldap({ name: 'No CA', bindPassword: '' }), withoutCa)
		).toMatchObject(retype('CA certificate'));
	});

	it('names every change at once, with the URL and the bind DN', async () => {
		const id = await savedDomain();
		expect(
			await updateDomain(
				id,
				ldap({
					url: 'ldap://evil.example.test:389',
					bindDn: 'cn=admin,dc=example,dc=test',
					startTls: false,
					caPem: OTHER_CA,
					bindPassword: ''
				}),
				admin
			)
		).toMatchObject(retype('URL, bind DN, StartTLS setting, CA certificate'));
	});

	it('is reused for the same certificate however its blank lines and line breaks were posted', async () => {
		const id = await savedDomain();
		const crlf = `\n  ${CA.replace(/\n/g, '\r\n')}\r\n  `;
		const tested = await resolveLdapTestSettings(ldap({ caPem: crlf, bindPassword: '' }), id);
		expect(tested).toMatchObject({
			ok: true,
			settings: { bindPassword: BIND_PASSWORD, startTls: true }
		});
		const kept = await updateDomain(
			id,
			ldap({ caPem: crlf, bindPassword: '', name: 'Kept' }),
			admin
		);
		expect(kept).toMatchObject({ ok: true, domain: { name: 'Kept' } });
		expect(openSecret((await findDomainRow(id))!.ldapBindPasswordSealed!)).toBe(BIND_PASSWORD);
		// no CA before, blank (only spaces) now: still none
		const withoutCa = await savedDomain({ name: 'No CA', caPem: '' });
		expect(
			await updateDomain(
				withoutCa,
				ldap({ name: 'No CA', caPem: '  \n ', bindPassword: '' }),
				admin
			)
		).toMatchObject({ ok: true });
		expect((await findDomainRow(withoutCa))!.ldapCaPem).toBeNull();
	});

	it('a typed password is taken with any StartTLS and CA change', async () => {
		const id = await savedDomain();
		const changed = ldap({ startTls: false, caPem: '', bindPassword: 'typed-again-9' });
		expect(await resolveLdapTestSettings(changed, id)).toMatchObject({
			ok: true,
			settings: { bindPassword: 'typed-again-9', startTls: false, caPem: null }
		});
		expect(await updateDomain(id, changed, admin)).toMatchObject({ ok: true });
		const row = (await findDomainRow(id))!;
		expect(row.ldapStartTls).toBe(false);
		expect(openSecret(row.ldapBindPasswordSealed!)).toBe('typed-again-9');
		const audit = JSON.stringify(await db().select().from(tables.auditLog));
		expect(audit).not.toContain('typed-again-9');
		expect(audit).not.toContain(BIND_PASSWORD);
	});
});
