/** What the domain functions give pages, and the form fields their refusals belong to. */
import type { SaveFailure } from './common.js';

/** The domain form's fields a refusal can point at. */
export type DomainField = 'name' | 'otpGeneratorId' | 'bindPassword' | 'userFilter' | 'kind';

/** A domain as pages see it: the bind password reduced to "is one stored". */
export interface DomainView {
	id: string;
	kind: 'local' | 'ldap';
	name: string;
	isTest: boolean;
	otpGeneratorId: string | null;
	otpGenerator: { id: string; name: string; type: 'email' | 'totp' } | null;
	emailAttribute: string;
	ldap: {
		url: string;
		startTls: boolean;
		caPem: string | null;
		bindDn: string | null;
		hasBindPassword: boolean;
		baseDn: string;
		userFilter: string;
		timeoutSeconds: number;
	} | null;
	/** Local users (0 for LDAP domains). */
	userCount: number;
	createdAt: Date;
	updatedAt: Date;
}

export type SaveDomainResult = { ok: true; domain: DomainView } | SaveFailure<DomainField>;
