/**
 * What a sign-in asks of an identity domain's user store, whatever it is (local users table or LDAP).
 * Expected outcomes are values: a wrong password and an unknown user are both `null`. An unreachable or
 * misconfigured directory throws DirectoryError, which carries a diagnosis in plain words.
 */

export interface Directory {
	/** The user when the password is right (and the account usable), else null. */
	authenticate(username: string, password: string): Promise<DirectoryUser | null>;
	/** The user without checking a password (admin actions such as "Reset TOTP"), or null. */
	lookup(username: string): Promise<DirectoryUser | null>;
}

export interface DirectoryUser {
	/**
	 * Stable key of the person within the domain: local `user:<id>`; LDAP `uuid:<entryUUID/objectGUID/nsUniqueId>`
	 * when the directory has one, else `dn:<lower-cased DN>`. TOTP enrollments and OTP limits hang on it.
	 */
	personKey: string;
	/** The username as stored (local) or as typed, trimmed (LDAP). */
	username: string;
	displayName: string;
	/** The value of the domain's e-mail attribute, or null when the user has none. */
	email: string | null;
	/** Local users only. */
	localUserId: string | null;
	/** LDAP users only. */
	dn: string | null;
	/** Every readable attribute (LDAP) or the user's fields (local); never a password or binary value. */
	attributes: Record<string, string[]>;
}

export type LdapDiagnosisId =
	| 'dns'
	| 'connect-refused'
	| 'connect-timeout'
	| 'connection-closed'
	| 'tls-not-tls'
	| 'tls-untrusted'
	| 'tls-name'
	| 'tls-expired'
	| 'tls-other'
	| 'starttls-unsupported'
	| 'confidentiality-required'
	| 'bind-invalid-credentials'
	| 'anonymous-refused'
	| 'no-such-object'
	| 'insufficient-access'
	| 'filter-invalid'
	| 'user-not-found'
	| 'user-ambiguous'
	| 'operation-timeout'
	| 'busy'
	| 'unknown';

export type LdapPhase = 'connect' | 'tls' | 'bind' | 'search';

export interface LdapDiagnosis {
	id: LdapDiagnosisId;
	phase: LdapPhase;
	title: string;
	explanation: string;
	fix: string;
	/** LDAP result code (49, 32 ...) or Node error code (ECONNREFUSED ...), when there is one. */
	code: string | null;
}

export class DirectoryError extends Error {
	constructor(
		readonly diagnosis: LdapDiagnosis,
		options?: { cause?: unknown }
	) {
		super(`${diagnosis.title}: ${diagnosis.explanation}`, options);
		this.name = 'DirectoryError';
	}
}

/** An LDAP domain's settings with the bind password opened: stays on the server. */
export interface LdapSettings {
	url: string;
	startTls: boolean;
	caPem: string | null;
	/** '' or null: search anonymously. */
	bindDn: string | null;
	bindPassword: string | null;
	baseDn: string;
	userFilter: string;
	emailAttribute: string;
	timeoutSeconds: number;
}
