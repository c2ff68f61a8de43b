import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { startSlapd, type SlapdServer } from '../testing/slapd.js';
import { db, tables, type Database } from '../db/index.js';
import { openSecret } from '../secrets.js';
import { directoryForDomain, ldapSettingsOfDomain } from '../directory/index.js';
import { domainSchema, type DomainForm, type LdapDomainForm } from '../../schemas/domains.js';
import {
	createDomain,
	deleteDomain,
	domainFormValues,
	findDomainRow,
	getDomain,
	listDomains,
	listSignInDomains,
	resolveLdapTestSettings,
	testDomainConnection,
	updateDomain
} from './domains.js';

let database: Database;
let slapd: SlapdServer;
const admin = { actor: 'alice', ip: '192.0.2.1' };

beforeAll(async () => {
	slapd = await startSlapd();
});
afterAll(async () => {
	await slapd?.stop();
});
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

const local = (name: string, extra: Partial<DomainForm> = {}): DomainForm =>
	({
		kind: 'local',
		name,
		isTest: false,
		otpGeneratorId: '',
		emailAttribute: 'email',
		...extra
	}) as DomainForm;

const ldap = (extra: Partial<LdapDomainForm> = {}): LdapDomainForm => ({
	kind: 'ldap',
	name: 'Directory',
	isTest: false,
	otpGeneratorId: '',
	emailAttribute: 'mail',
	url: slapd.url,
	startTls: false,
	caPem: '',
	bindDn: slapd.bindDn,
	bindPassword: slapd.bindPassword,
	baseDn: slapd.baseDn,
	userFilter: slapd.userFilter,
	timeoutSeconds: 5,
	...extra
});

describe('domains', () => {
	it('lists test domains first, then by name; the login list too', async () => {
		await createDomain(local('Zeta'), admin);
		await createDomain(local('alpha'), admin);
		await createDomain(local('Sandbox', { isTest: true }), admin);
		expect((await listDomains()).map((d) => d.name)).toEqual(['Sandbox', 'alpha', 'Zeta']);
		expect((await listSignInDomains()).map((d) => [d.name, d.isTest])).toEqual([
			['Sandbox', true],
			['alpha', false],
			['Zeta', false]
		]);
	});

	it('stores the LDAP bind password sealed and never shows it', async () => {
		const created = await createDomain(ldap(), admin);
		expect(created).toMatchObject({
			ok: true,
			domain: { kind: 'ldap', ldap: { hasBindPassword: true, bindDn: slapd.bindDn } }
		});
		if (!created.ok) return;
		const row = (await findDomainRow(created.domain.id))!;
		expect(row.ldapBindPasswordSealed).not.toContain(slapd.bindPassword);
		expect(openSecret(row.ldapBindPasswordSealed!)).toBe(slapd.bindPassword);
		const everything = JSON.stringify([await listDomains(), await getDomain(row.id)]);
		expect(everything).not.toContain(slapd.bindPassword);
		expect(everything).not.toContain(row.ldapBindPasswordSealed);
		const audit = JSON.stringify(await db().select().from(tables.auditLog));
		expect(audit).not.toContain(slapd.bindPassword);
		// The stored domain signs users in.
		expect(ldapSettingsOfDomain(row).bindPassword).toBe(slapd.bindPassword);
		expect(
			await directoryForDomain(row).authenticate('alice', slapd.user('alice').password)
		).toMatchObject({
			email: 'alice@postern.test'
		});
		// Form values leave the password blank and parse.
		const values = domainFormValues(created.domain);
		expect(values).toMatchObject({ bindPassword: '', url: slapd.url });
		expect(domainSchema.safeParse(values).success).toBe(true);
	});

	it('requires the bind password for a bind DN; a blank one keeps the stored password for the same server', async () => {
		expect(await createDomain(ldap({ bindPassword: '' }), admin)).toMatchObject({
			ok: false,
			field: 'bindPassword',
			code: 'secret_required'
		});
		const created = await createDomain(ldap(), admin);
		if (!created.ok) throw new Error(created.message);
		const id = created.domain.id;
		const kept = await updateDomain(id, ldap({ bindPassword: '', name: 'Renamed' }), admin);
		expect(kept).toMatchObject({
			ok: true,
			domain: { name: 'Renamed', ldap: { hasBindPassword: true } }
		});
		expect(openSecret((await findDomainRow(id))!.ldapBindPasswordSealed!)).toBe(slapd.bindPassword);
		// Another server or another account: the password must be typed again.
		for (const change of [
			{ url: 'ldap://evil.example:389' },
			{ bindDn: 'cn=admin,dc=postern,dc=test' }
		])
			expect(await updateDomain(id, ldap({ ...change, bindPassword: '' }), admin)).toMatchObject({
				ok: false,
				field: 'bindPassword',
				code: 'secret_retype'
			});
		expect(
			await resolveLdapTestSettings(ldap({ url: 'ldap://evil.example:389', bindPassword: '' }), id)
		).toMatchObject({ ok: false, code: 'secret_retype' });
		const updates = (await db().select().from(tables.auditLog)).filter(
			(a) => a.action === 'domain.updated'
		);
		expect(updates.map((u) => u.detail?.changed)).toEqual([['name']]);
	});

	it('drops the stored password when the bind DN is cleared (anonymous search)', async () => {
		const created = await createDomain(ldap(), admin);
		if (!created.ok) throw new Error(created.message);
		await updateDomain(created.domain.id, ldap({ bindDn: '', bindPassword: '' }), admin);
		expect((await findDomainRow(created.domain.id))!.ldapBindPasswordSealed).toBeNull();
	});

	it('keeps the kind, checks the generator and the filter, refuses taken names', async () => {
		const created = await createDomain(local('Main'), admin);
		if (!created.ok) throw new Error('refused');
		expect(await updateDomain(created.domain.id, ldap({ name: 'Main' }), admin)).toMatchObject({
			field: 'kind',
			code: 'kind_locked'
		});
		expect(
			await createDomain(
				local('X', { otpGeneratorId: '00000000-0000-4000-8000-000000000000' }),
				admin
			)
		).toMatchObject({ field: 'otpGeneratorId', code: 'generator_missing' });
		expect(await createDomain(ldap({ userFilter: '(uid={username}' }), admin)).toMatchObject({
			field: 'userFilter',
			code: 'filter_invalid'
		});
		expect(await createDomain(local('MAIN'), admin)).toMatchObject({
			field: 'name',
			code: 'name_taken'
		});
	});

	it('deletes a domain with its users', async () => {
		const created = await createDomain(local('Main'), admin);
		if (!created.ok) throw new Error('refused');
		await db()
			.insert(tables.users)
			.values({ domainId: created.domain.id, username: 'x', passwordHash: 'h' });
		expect((await getDomain(created.domain.id))?.userCount).toBe(1);
		expect(await deleteDomain(created.domain.id, admin)).toEqual({ ok: true });
		expect(await db().select().from(tables.users)).toEqual([]);
		expect(await deleteDomain(created.domain.id, admin)).toMatchObject({ code: 'not_found' });
		expect(await deleteDomain('garbage', admin)).toMatchObject({ code: 'not_found' });
	});

	it('tests the connection of a form before saving, and of a saved domain with its stored password', async () => {
		const unsaved = await testDomainConnection({
			form: ldap(),
			domainId: null,
			username: 'alice',
			audit: admin
		});
		expect(unsaved).toMatchObject({ ok: true, result: { ok: true, emailPresent: true } });
		const created = await createDomain(ldap(), admin);
		if (!created.ok) throw new Error(created.message);
		const saved = await testDomainConnection({
			form: ldap({ bindPassword: '' }),
			domainId: created.domain.id,
			username: 'bob',
			audit: admin
		});
		expect(saved).toMatchObject({ ok: true, result: { ok: true, emailPresent: false } });
		const failing = await testDomainConnection({
			form: ldap({ bindPassword: 'wrong' }),
			domainId: null,
			username: 'alice',
			audit: admin
		});
		expect(failing).toMatchObject({
			ok: true,
			result: { ok: false, diagnosis: { id: 'bind-invalid-credentials' } }
		});
		const tests = (await db().select().from(tables.auditLog)).filter(
			(a) => a.action === 'domain.tested'
		);
		expect(tests.map((t) => t.outcome)).toEqual(['ok', 'ok', 'failed']);
		expect(JSON.stringify(tests)).not.toContain(slapd.bindPassword);
	});
});
