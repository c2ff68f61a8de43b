/**
 * An SMTP server form as table columns (secrets aside: server-secrets.ts seals them), and the part of a server
 * that decides where a stored secret goes, which the reuse rule (secret-reuse.ts) compares.
 */
import type { SmtpServerRow } from '../db/schema/index.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import type { SecretDestination } from './secret-reuse.js';

/** The non-secret columns the form sets. Fields of other authentication types are cleared. */
export function toServerColumns(form: SmtpServerForm) {
	const blankToNull = (value: string | undefined) =>
		value === undefined || value.trim() === '' ? null : value.trim();
	return {
		name: form.name,
		host: form.host,
		port: form.port,
		security: form.security,
		auth: form.auth,
		username: form.auth === 'basic' ? form.username : null,
		tenantId: form.auth === 'microsoft' ? form.tenantId : null,
		clientId: form.auth === 'microsoft' ? form.clientId : null,
		clientSecretExpiresOn:
			form.auth === 'microsoft' ? blankToNull(form.clientSecretExpiresOn) : null,
		mailbox: form.auth === 'microsoft' ? form.mailbox : null,
		cloud: form.auth === 'microsoft' ? form.cloud : ('global' as const),
		fromAddress: form.fromAddress,
		fromName: blankToNull(form.fromName),
		verifyTls: form.verifyTls,
		caPem: blankToNull(form.caPem),
		timeoutSeconds: form.timeoutSeconds,
		maxConnections: form.maxConnections ?? null,
		messagesPerMinute: form.messagesPerMinute ?? null,
		recipientsPerDay: form.recipientsPerDay ?? null
	};
}

export type ServerColumns = ReturnType<typeof toServerColumns>;

/** Where a stored server's (or a form's) secret would be sent, and for whom. */
export function secretDestinationOf(source: SmtpServerRow | ServerColumns): SecretDestination {
	return {
		host: source.host,
		port: source.port,
		security: source.security,
		auth: source.auth,
		username: source.username,
		mailbox: source.mailbox,
		fromAddress: source.fromAddress,
		verifyTls: source.verifyTls,
		caPem: source.caPem,
		cloud: source.auth === 'microsoft' ? source.cloud : null,
		tenantId: source.tenantId,
		clientId: source.clientId
	};
}
