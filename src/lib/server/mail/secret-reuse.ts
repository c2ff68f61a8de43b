/**
 * When may a blank secret field keep the stored secret? Only while the secret would go where it went before.
 *
 * An admin console that reuses the stored SMTP password when the host is changed lets anyone with console access
 * point the "test connection" at their own server and harvest the password. So a stored password or client
 * secret is reused only while everything that decides where it (or the access token bought with it) is sent, and
 * for whom, is unchanged: host, port, connection type, authentication type, username, mailbox and sender
 * address; for a client secret also the cloud, tenant and client ID, which decide the token endpoint and the
 * application it proves. Anything else changed means "type it again".
 *
 * The TLS verification setting and the CA certificate count too (as they do for an LDAP bind password): they
 * decide whether the peer must prove it is the host. Turning verification off, or pasting a CA of one's own,
 * lets a machine in the middle answer for the host and read the password or the access token it is sent.
 *
 * Pure functions: server-secrets.ts applies them on save and when testing an edited form.
 */
import type { MicrosoftCloud, SmtpAuthKind, SmtpSecurity } from './types.js';

/** Where a secret goes, as far as the reuse rule is concerned. */
export interface SecretDestination {
	host: string;
	port: number;
	security: SmtpSecurity;
	auth: SmtpAuthKind;
	username: string | null;
	mailbox: string | null;
	fromAddress: string;
	verifyTls: boolean;
	caPem: string | null;
	cloud: MicrosoftCloud | null;
	tenantId: string | null;
	clientId: string | null;
}

export type SecretKind = 'password' | 'clientSecret';
export type DestinationField = keyof SecretDestination;

const COMMON_FIELDS: DestinationField[] = [
	'host',
	'port',
	'security',
	'auth',
	'username',
	'mailbox',
	'fromAddress',
	'verifyTls',
	'caPem'
];
const FIELDS: Record<SecretKind, DestinationField[]> = {
	password: COMMON_FIELDS,
	clientSecret: [...COMMON_FIELDS, 'cloud', 'tenantId', 'clientId']
};

/** Host names, e-mail domains, tenant and client IDs do not depend on letter case; usernames may. */
const CASE_INSENSITIVE = new Set<DestinationField>([
	'host',
	'mailbox',
	'fromAddress',
	'tenantId',
	'clientId'
]);

function normalise(field: DestinationField, value: SecretDestination[DestinationField]) {
	if (value === null || value === undefined || value === '') return null;
	if (field === 'caPem') return sameCertificateText(String(value));
	return CASE_INSENSITIVE.has(field) && typeof value === 'string' ? value.toLowerCase() : value;
}

/** For comparing only: a textarea posts CR LF line breaks, a script may post LF; the certificate is the same. */
function sameCertificateText(pem: string) {
	return pem.trim().replace(/\r\n?/g, '\n') || null;
}

/** The fields that changed between the stored server and the form, among those that bind `kind`. */
export function findChangedDestinationFields(
	kind: SecretKind,
	before: SecretDestination,
	after: SecretDestination
): DestinationField[] {
	return FIELDS[kind].filter(
		(field) => normalise(field, before[field]) !== normalise(field, after[field])
	);
}

/**
 * What to do with a secret field the authentication type needs:
 * - typed: use the typed value;
 * - blank, stored, destination unchanged: keep the stored one;
 * - blank, stored, destination changed: refuse ("type it again");
 * - blank, nothing stored: refuse ("required").
 */
export function resolveSecretInput(input: {
	typed: string;
	hasStored: boolean;
	changed: DestinationField[];
}): SecretDecision {
	if (input.typed !== '') return { action: 'replace', value: input.typed };
	if (!input.hasStored) return { error: 'required' };
	if (input.changed.length > 0) return { error: 'retype', changed: input.changed };
	return { action: 'keep' };
}

export type SecretDecision =
	| { action: 'keep' }
	| { action: 'replace'; value: string }
	| { error: 'required' }
	| { error: 'retype'; changed: DestinationField[] };
