/**
 * LDAP failures in plain words, chosen by error code (Node's socket/TLS codes, LDAP result codes), never by
 * parsing a stack. The page renders title, explanation and fix; `code` is shown small for the admin's search.
 */
import { ResultCodeError } from 'ldapts';
import type { LdapDiagnosis, LdapDiagnosisId, LdapPhase } from './types.js';

const TEXT: Record<
	LdapDiagnosisId,
	{ phase: LdapPhase; title: string; explanation: string; fix: string }
> = {
	dns: {
		phase: 'connect',
		title: 'Host name not found',
		explanation: 'The host name in the URL does not resolve to an address.',
		fix: 'Check the spelling of the host in the URL, or use its IP address.'
	},
	'connect-refused': {
		phase: 'connect',
		title: 'Connection refused',
		explanation: 'Nothing accepts connections on that host and port.',
		fix: 'Check the host and port in the URL (389 for ldap://, 636 for ldaps://) and that the LDAP server is running.'
	},
	'connect-timeout': {
		phase: 'connect',
		title: 'No answer from the server',
		explanation:
			'The connection attempt timed out: a firewall may drop the traffic, or the host is down.',
		fix: 'Check that this server may reach the LDAP host and port, and raise the timeout if the link is slow.'
	},
	'connection-closed': {
		phase: 'connect',
		title: 'The server closed the connection',
		explanation:
			'The server hung up before answering. This often means ldap:// was used on an ldaps:// port, or the reverse.',
		fix: 'Use ldaps:// with port 636 or ldap:// with port 389 (optionally with StartTLS), as the server expects.'
	},
	'tls-not-tls': {
		phase: 'tls',
		title: 'The server does not speak TLS on this port',
		explanation: 'A TLS handshake was attempted but the server answered in plain text.',
		fix: 'Use ldap:// for this port (with StartTLS if the server offers it), or the server’s ldaps:// port.'
	},
	'tls-untrusted': {
		phase: 'tls',
		title: 'Server certificate not trusted',
		explanation:
			'The server’s certificate is self-signed or issued by a certificate authority this server does not trust.',
		fix: 'Paste the issuing CA certificate (PEM) into "CA certificate".'
	},
	'tls-name': {
		phase: 'tls',
		title: 'Certificate does not match the host name',
		explanation: 'The certificate is valid, but not for the host name in the URL.',
		fix: 'Use the host name the certificate was issued for (see its subject alternative names).'
	},
	'tls-expired': {
		phase: 'tls',
		title: 'Server certificate expired',
		explanation: 'The LDAP server presents a certificate that is expired or not yet valid.',
		fix: 'Renew the LDAP server’s certificate, and check the clocks of both machines.'
	},
	'tls-other': {
		phase: 'tls',
		title: 'TLS handshake failed',
		explanation: 'The secure connection could not be established.',
		fix: 'Check the URL, the TLS settings of the LDAP server and the CA certificate.'
	},
	'starttls-unsupported': {
		phase: 'tls',
		title: 'StartTLS refused',
		explanation: 'The server does not offer StartTLS on this port.',
		fix: 'Turn StartTLS off and use ldaps://, or enable TLS on the LDAP server.'
	},
	'confidentiality-required': {
		phase: 'bind',
		title: 'The server requires an encrypted connection',
		explanation: 'The server refuses to bind over a plain connection (result code 13).',
		fix: 'Use ldaps:// or turn StartTLS on.'
	},
	'bind-invalid-credentials': {
		phase: 'bind',
		title: 'Bind DN or password wrong',
		explanation: 'The server refused the service account’s credentials (result code 49).',
		fix: 'Check the bind DN (the full DN, e.g. cn=reader,dc=example,dc=org) and type the bind password again.'
	},
	'anonymous-refused': {
		phase: 'bind',
		title: 'The server refused the bind',
		explanation:
			'The server does not accept this kind of bind (result code 48 or 53): anonymous searches are often disabled.',
		fix: 'Enter a bind DN and password of a service account allowed to search users.'
	},
	'no-such-object': {
		phase: 'search',
		title: 'Base DN not found',
		explanation:
			'The base DN does not exist on the server, or the service account may not see it (result code 32).',
		fix: 'Check the base DN (e.g. ou=people,dc=example,dc=org) against the directory.'
	},
	'insufficient-access': {
		phase: 'search',
		title: 'Not allowed to search',
		explanation: 'The service account may not read under the base DN (result code 50).',
		fix: 'Grant the service account read access to users, or use another account.'
	},
	'filter-invalid': {
		phase: 'search',
		title: 'User filter refused',
		explanation: 'The server could not use the user filter.',
		fix: 'Write the filter as one parenthesised LDAP filter, e.g. (&(objectClass=inetOrgPerson)(uid={username})).'
	},
	'user-not-found': {
		phase: 'search',
		title: 'User not found',
		explanation: 'No entry under the base DN matches the user filter.',
		fix: 'Check the username, the base DN and the attribute the filter compares (uid, sAMAccountName, mail ...).'
	},
	'user-ambiguous': {
		phase: 'search',
		title: 'Several users match',
		explanation:
			'More than one entry matches the filter, so sign-in cannot tell which one is meant.',
		fix: 'Make the filter stricter (objectClass, the exact attribute) or the base DN narrower.'
	},
	'operation-timeout': {
		phase: 'search',
		title: 'The server did not answer in time',
		explanation: 'The connection was made, but an operation took longer than the timeout.',
		fix: 'Raise the timeout, or make the search cheaper (narrower base DN, indexed attribute in the filter).'
	},
	busy: {
		phase: 'search',
		title: 'The server is busy or unavailable',
		explanation:
			'The LDAP server answered that it cannot serve the request now (result code 51 or 52).',
		fix: 'Try again later, or check the LDAP server’s health.'
	},
	unknown: {
		phase: 'connect',
		title: 'LDAP error',
		explanation: 'The LDAP server or the connection failed in an unexpected way.',
		fix: 'Check the settings and the LDAP server’s log; the code below says more.'
	}
};

/** A diagnosis by id, with details appended to the explanation (filter, base DN). */
export function ldapDiagnosis(
	id: LdapDiagnosisId,
	code: string | null,
	context: { filter?: string; baseDn?: string; phase?: LdapPhase } = {}
): LdapDiagnosis {
	const text = TEXT[id];
	let explanation = text.explanation;
	if (context.filter && context.baseDn)
		explanation += ` Searched ${context.filter} under ${context.baseDn}.`;
	return { id, ...text, phase: context.phase ?? text.phase, explanation, code };
}

const TLS_UNTRUSTED = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'UNABLE_TO_GET_ISSUER_CERT',
	'CERT_UNTRUSTED'
]);
const TLS_EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** Maps an error thrown by ldapts or the socket to a diagnosis; `phase` is the operation that was running. */
export function diagnoseLdapError(error: unknown, phase: LdapPhase): LdapDiagnosis {
	if (error instanceof ResultCodeError) {
		const code = String(error.code);
		switch (error.code) {
			case 49:
				return ldapDiagnosis('bind-invalid-credentials', code);
			case 32:
				return ldapDiagnosis('no-such-object', code);
			case 50:
				return ldapDiagnosis('insufficient-access', code);
			case 13:
			case 8:
				return ldapDiagnosis('confidentiality-required', code);
			case 48:
			case 53:
				return ldapDiagnosis(phase === 'bind' ? 'anonymous-refused' : 'unknown', code, { phase });
			case 87:
				return ldapDiagnosis('filter-invalid', code);
			case 3:
				return ldapDiagnosis('operation-timeout', code);
			case 51:
			case 52:
				return ldapDiagnosis(phase === 'tls' ? 'starttls-unsupported' : 'busy', code);
			case 112:
				return ldapDiagnosis('starttls-unsupported', code);
			case 2:
				if (phase === 'tls') return ldapDiagnosis('starttls-unsupported', code);
				return ldapDiagnosis('unknown', code, { phase });
			default:
				return ldapDiagnosis('unknown', code, { phase });
		}
	}
	const err = (error ?? {}) as { code?: unknown; message?: unknown };
	const code = typeof err.code === 'string' ? err.code : null;
	const message = typeof err.message === 'string' ? err.message : '';
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return ldapDiagnosis('dns', code);
	if (code === 'ECONNREFUSED') return ldapDiagnosis('connect-refused', code);
	if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
		return ldapDiagnosis('connect-timeout', code);
	if (code && TLS_UNTRUSTED.has(code)) return ldapDiagnosis('tls-untrusted', code);
	if (code && TLS_EXPIRED.has(code)) return ldapDiagnosis('tls-expired', code);
	if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return ldapDiagnosis('tls-name', code);
	if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG')
		return ldapDiagnosis('tls-not-tls', code);
	if (code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS'))
		return ldapDiagnosis('tls-other', code);
	if (/Connection timeout/i.test(message)) return ldapDiagnosis('connect-timeout', 'timeout');
	if (/Operation timed out/i.test(message)) return ldapDiagnosis('operation-timeout', 'timeout');
	if (/secure TLS connection/i.test(message)) return ldapDiagnosis('connection-closed', code);
	if (
		code === 'ECONNRESET' ||
		code === 'EPIPE' ||
		/Connection closed|socket hang up/i.test(message)
	)
		return ldapDiagnosis('connection-closed', code);
	return ldapDiagnosis('unknown', code, { phase });
}
