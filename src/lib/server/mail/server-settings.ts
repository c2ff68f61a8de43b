/**
 * From a stored server to the settings the transport builder and the configuration test take: the one place a
 * row's sealed secrets are opened. The result holds secrets in clear: server-side only, never for a page.
 */
import type { SmtpServerRow } from '../db/schema/index.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import { openSecret } from '../secrets.js';
import type { SmtpAuthSettings, SmtpServerSettings } from './types.js';

export function toServerSettings(row: SmtpServerRow): SmtpServerSettings {
	let auth: SmtpAuthSettings = { type: 'none' };
	if (row.auth === 'basic')
		auth = {
			type: 'basic',
			username: row.username ?? '',
			password: row.passwordSealed ? openSecret(row.passwordSealed) : ''
		};
	else if (row.auth === 'microsoft' || row.auth === 'graph')
		auth = {
			type: row.auth,
			mailbox: row.mailbox ?? '',
			cloud: row.cloud,
			tenantId: row.tenantId ?? '',
			clientId: row.clientId ?? '',
			clientSecret: row.clientSecretSealed ? openSecret(row.clientSecretSealed) : ''
		};
	return {
		id: row.id,
		name: row.name,
		host: row.host,
		port: row.port,
		security: row.security,
		auth,
		fromAddress: row.fromAddress,
		fromName: row.fromName,
		verifyTls: row.verifyTls,
		caPem: row.caPem,
		timeoutSeconds: row.timeoutSeconds
	};
}

/** The authentication settings of a form, with its secrets already resolved (typed or stored). */
export function buildAuthSettings(
	form: SmtpServerForm,
	secrets: { password: string; clientSecret: string }
): SmtpAuthSettings {
	if (form.auth === 'basic')
		return { type: 'basic', username: form.username, password: secrets.password };
	if (form.auth === 'microsoft' || form.auth === 'graph')
		return {
			type: form.auth,
			mailbox: form.mailbox,
			cloud: form.cloud,
			tenantId: form.tenantId,
			clientId: form.clientId,
			clientSecret: secrets.clientSecret
		};
	return { type: 'none' };
}
