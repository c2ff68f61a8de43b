/**
 * An SMTP server form as table columns (secrets aside: server-secrets.ts seals them), and the part of a server
 * that decides where a stored secret goes, which the reuse rule (secret-reuse.ts) compares.
 */
import type { SmtpServerRow } from '../db/schema/index.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import type { SecretDestination } from './secret-reuse.js';
import { GRAPH_PRESET, usesMicrosoftApp } from '../../choices/smtp-server.js';
import { MICROSOFT_GRAPH_CLOUDS } from '../../microsoft-endpoints.js';

/** The non-secret columns the form sets. Fields of other authentication types are cleared. */
export function toServerColumns(form: SmtpServerForm) {
	const blankToNull = (value: string | undefined) =>
		value === undefined || value.trim() === '' ? null : value.trim();
	const app = form.auth === 'microsoft' || form.auth === 'graph' ? form : null;
	return {
		name: form.name,
		// Graph is reached at its cloud's host over HTTPS, whatever was posted
		host: form.auth === 'graph' ? MICROSOFT_GRAPH_CLOUDS[form.cloud].host : form.host,
		port: form.auth === 'graph' ? GRAPH_PRESET.port : form.port,
		security: form.auth === 'graph' ? GRAPH_PRESET.security : form.security,
		auth: form.auth,
		username: form.auth === 'basic' ? form.username : null,
		tenantId: app ? app.tenantId : null,
		clientId: app ? app.clientId : null,
		clientSecretExpiresOn: app ? blankToNull(app.clientSecretExpiresOn) : null,
		mailbox: app ? app.mailbox : null,
		cloud: app ? app.cloud : ('global' as const),
		fromAddress: form.fromAddress,
		fromName: blankToNull(form.fromName),
		verifyTls: form.auth === 'graph' ? true : form.verifyTls,
		caPem: form.auth === 'graph' ? null : blankToNull(form.caPem),
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
		cloud: usesMicrosoftApp(source.auth) ? source.cloud : null,
		tenantId: source.tenantId,
		clientId: source.clientId
	};
}
