/**
 * Mock mode's LDAP directory: the in-memory directory of src/mocks/ldap.ts behind the directory
 * module's client seam, its scenarios in the dev toolbar, and the seeded domain "Example LDAP (mock)" that uses
 * it with e-mail codes. Its users are alice (with `mail`) and bob (without), password DEMO_PASSWORD.
 * Mock mode only: imported behind `dev` checks and emptied in production builds (vite.config.ts).
 */
import { useLdapClientFactory } from '../directory/ldap.js';
import { createDomain } from '../identity/domains.js';
import { registerLdapFaults } from './faults.js';
import {
	LDAP_SCENARIOS,
	MOCK_LDAP,
	MOCK_LDAP_USERS,
	createLdapMockFactory,
	setLdapScenario
} from '../../../mocks/ldap.js';

export const MOCK_LDAP_DOMAIN = 'Example LDAP (mock)';

/** Answers for ldap(s)://ldap.mock.test in memory (other URLs still reach real servers) and adds its faults. */
export function installMockLdap() {
	useLdapClientFactory(createLdapMockFactory());
	setLdapScenario('success');
	registerLdapFaults(
		[...LDAP_SCENARIOS].filter((s) => s.id !== 'success'),
		(id) => setLdapScenario(id)
	);
}

/**
 * The LDAP domain on the mock directory, created the way the admin pages create one (createDomain: the filter is
 * checked and the bind password sealed), with the given OTP generator (the identity seed's e-mail one).
 */
export async function seedMockLdapDomain(options: { otpGeneratorId: string | null }) {
	const result = await createDomain(
		{
			kind: 'ldap',
			name: MOCK_LDAP_DOMAIN,
			isTest: false,
			otpGeneratorId: options.otpGeneratorId ?? '',
			emailAttribute: MOCK_LDAP.emailAttribute,
			url: MOCK_LDAP.url,
			startTls: false,
			caPem: '',
			bindDn: MOCK_LDAP.bindDn,
			bindPassword: MOCK_LDAP.bindPassword,
			baseDn: MOCK_LDAP.baseDn,
			userFilter: MOCK_LDAP.userFilter,
			timeoutSeconds: 10
		},
		{ actor: 'mock-seed' }
	);
	return {
		domainId: result.ok ? result.domain.id : null,
		users: MOCK_LDAP_USERS.map(({ username, password, email }) => ({ username, password, email }))
	};
}
