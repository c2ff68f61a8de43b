import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import type { Database } from '../db/index.js';
import { directoryForDomain } from '../directory/index.js';
import { useLdapClientFactory } from '../directory/ldap.js';
import { findDomainRow, getDomain } from '../identity/domains.js';
import { DEMO_PASSWORD, seedIdentityDemo } from '../identity/seed.js';
import type { MailSink } from './mail-sink.js';
import { applyFault, FAULTS } from './faults.js';
import { setMockState } from './mock-state.js';
import { installMockLdap, MOCK_LDAP_DOMAIN, seedMockLdapDomain } from './mock-ldap.js';
import { getLdapScenario, MOCK_LDAP, resetLdapMock } from '../../../mocks/ldap.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
	resetLdapMock();
});
afterEach(async () => {
	useLdapClientFactory(null);
	await database.close();
});

describe('mock mode LDAP', () => {
	it('seeds "Example LDAP (mock)" with the e-mail generator and a sealed bind password; alice signs in', async () => {
		installMockLdap();
		const identity = await seedIdentityDemo();
		const seeded = await seedMockLdapDomain({ otpGeneratorId: identity.emailGeneratorId });
		expect(seeded.domainId).not.toBeNull();
		const view = (await getDomain(seeded.domainId!))!;
		expect(view).toMatchObject({
			name: MOCK_LDAP_DOMAIN,
			kind: 'ldap',
			emailAttribute: 'mail',
			otpGenerator: { id: identity.emailGeneratorId, type: 'email' },
			ldap: { url: MOCK_LDAP.url, bindDn: MOCK_LDAP.bindDn, hasBindPassword: true }
		});
		const row = (await findDomainRow(seeded.domainId))!;
		expect(row.ldapBindPasswordSealed).not.toContain(MOCK_LDAP.bindPassword);
		const directory = directoryForDomain(row);
		expect(await directory.authenticate('alice', DEMO_PASSWORD)).toMatchObject({
			email: 'alice@example.test'
		});
		expect(await directory.authenticate('bob', DEMO_PASSWORD)).toMatchObject({ email: null });
		expect(seeded.users.map((u) => [u.username, u.email])).toEqual([
			['alice', 'alice@example.test'],
			['bob', null]
		]);
	});

	it('adds the LDAP faults to the toolbar; "Everything works" puts LDAP back to success', async () => {
		setMockState({ sink: { setFault() {} } as unknown as MailSink, credentials: [] });
		installMockLdap();
		installMockLdap();
		const ldap = FAULTS.filter((f) => f.group === 'LDAP');
		expect(ldap.map((f) => f.id)).toEqual(['ldap-bind-refused', 'ldap-unreachable', 'ldap-slow']);
		expect(await applyFault('ldap-bind-refused')).toBe(true);
		expect(getLdapScenario()).toBe('bind-refused');
		expect(await applyFault('smtp-drop')).toBe(true);
		expect(getLdapScenario()).toBe('success');
		expect(await applyFault('ldap-unreachable')).toBe(true);
		expect(getLdapScenario()).toBe('unreachable');
		expect(await applyFault('none')).toBe(true);
		expect(getLdapScenario()).toBe('success');
	});
});
