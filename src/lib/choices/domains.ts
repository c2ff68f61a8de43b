/**
 * The identity domain form's choices, labels and defaults: plain values, shared by the browser and the server
 * without the form's schema (schemas/domains.ts).
 */
import type { DomainForm } from '../schemas/domains.js';

type DomainKind = 'local' | 'ldap';

export const DOMAIN_KINDS = ['local', 'ldap'] as const;
export const DOMAIN_KIND_LABELS: Record<DomainKind, string> = { local: 'Local', ldap: 'LDAP' };
export const DEFAULT_EMAIL_ATTRIBUTE: Record<DomainKind, string> = { local: 'email', ldap: 'mail' };
/** Advice shown next to the "test domain" flag. */
export const TEST_DOMAIN_ADVICE =
	'Before changing the main domain, try new settings on a test domain to check that sign-in works.';
export const DEFAULT_USER_FILTER = '(&(objectClass=inetOrgPerson)(uid={username}))';

/** Every field of every branch: a new domain starts as a local one with the `email` attribute. */
export const domainFormDefaults = {
	kind: 'local',
	name: '',
	isTest: false,
	otpGeneratorId: '',
	emailAttribute: DEFAULT_EMAIL_ATTRIBUTE.local,
	url: '',
	startTls: false,
	caPem: '',
	bindDn: '',
	bindPassword: '',
	baseDn: '',
	userFilter: DEFAULT_USER_FILTER,
	timeoutSeconds: 10
} as DomainForm;
