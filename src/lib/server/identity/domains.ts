/**
 * Identity domains (also called "identity providers"): local or LDAP. The API the rest of Postern uses: list
 * (test domains first), read, create, update, delete, and the LDAP "Test connection"; every change audited.
 *
 * One module per concern:
 * - domain-reads.ts          the list, a picker's and /login's choices, one domain, its stored row
 * - domain-writes.ts         create, update and delete, with their checks
 * - domain-bind-password.ts  the write-only bind password and when a blank field may keep the stored one
 * - domain-ldap-test.ts      "Test connection", for a saved domain or an unsaved form
 * - domain-view.ts           what pages get: the view and the edit form's values
 * - domain-types.ts          the view and result types
 */
export {
	findDomainRow,
	getDomain,
	listDomainChoices,
	listDomains,
	listDomainsPage,
	listSignInDomains
} from './domain-reads.js';
export { createDomain, deleteDomain, updateDomain } from './domain-writes.js';
export { resolveLdapTestSettings, testDomainConnection } from './domain-ldap-test.js';
export { domainFormValues } from './domain-view.js';
export type { DomainView, SaveDomainResult } from './domain-types.js';
