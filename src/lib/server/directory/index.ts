/**
 * The directory of an identity domain: local users or LDAP, chosen by the domain's kind. The LDAP bind
 * password is opened here, on the server, and goes nowhere else.
 */
import type { DomainRow } from '../db/schema/index.js';
import { openSecret } from '../secrets.js';
import { createLdapDirectory } from './ldap.js';
import { createLocalDirectory } from './local.js';
import type { Directory, LdapSettings } from './types.js';

export function directoryForDomain(domain: DomainRow): Directory {
	return domain.kind === 'ldap'
		? createLdapDirectory(ldapSettingsOfDomain(domain))
		: createLocalDirectory(domain);
}

/** A stored LDAP domain's settings with the bind password opened (server only). */
export function ldapSettingsOfDomain(domain: DomainRow): LdapSettings {
	if (domain.kind !== 'ldap' || !domain.ldapUrl || !domain.ldapBaseDn || !domain.ldapUserFilter)
		throw new Error(`domain ${domain.id} is not a complete LDAP domain`);
	return {
		url: domain.ldapUrl,
		startTls: domain.ldapStartTls,
		caPem: domain.ldapCaPem,
		bindDn: domain.ldapBindDn,
		bindPassword: domain.ldapBindPasswordSealed ? openSecret(domain.ldapBindPasswordSealed) : null,
		baseDn: domain.ldapBaseDn,
		userFilter: domain.ldapUserFilter,
		emailAttribute: domain.emailAttribute,
		timeoutSeconds: domain.ldapTimeoutSeconds
	};
}

export {
	createLdapDirectory,
	testLdapConnection,
	escapeFilterValue,
	buildUserFilter
} from './ldap.js';
export type { LdapTestResult, LdapTestStep } from './ldap.js';
export { createLocalDirectory, findLocalUser, localPersonKey } from './local.js';
export { diagnoseLdapError } from './ldap-diagnose.js';
export * from './types.js';
