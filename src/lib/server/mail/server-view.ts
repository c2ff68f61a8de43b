/**
 * What pages get of an SMTP server: SmtpServerView, where a secret is only `hasPassword` / `hasClientSecret`,
 * and the edit form's initial values, where secret fields are blank ("keep the stored one").
 */
import type { SmtpServerRow } from '../db/schema/index.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import { limitsOf } from './limits.js';
import type { SecretExpiry, SmtpServerView } from './types.js';

const DAY_MS = 86_400_000;
/** How many days before its expiry date a client secret is shown as expiring. */
const EXPIRY_WARNING_DAYS = 30;

export function toServerView(row: SmtpServerRow): SmtpServerView {
	return {
		id: row.id,
		name: row.name,
		host: row.host,
		port: row.port,
		security: row.security,
		auth: row.auth,
		username: row.username,
		hasPassword: Boolean(row.passwordSealed),
		tenantId: row.tenantId,
		clientId: row.clientId,
		hasClientSecret: Boolean(row.clientSecretSealed),
		clientSecretExpiresOn: row.clientSecretExpiresOn,
		clientSecretExpiry:
			row.auth === 'microsoft' ? classifySecretExpiry(row.clientSecretExpiresOn) : null,
		mailbox: row.mailbox,
		cloud: row.cloud,
		fromAddress: row.fromAddress,
		fromName: row.fromName,
		verifyTls: row.verifyTls,
		caPem: row.caPem,
		timeoutSeconds: row.timeoutSeconds,
		maxConnections: row.maxConnections,
		messagesPerMinute: row.messagesPerMinute,
		recipientsPerDay: row.recipientsPerDay,
		limits: limitsOf(row),
		lastTest:
			row.lastTestAt && row.lastTestOk !== null
				? { at: row.lastTestAt, ok: row.lastTestOk, summary: row.lastTestSummary }
				: null,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

/** 'expired' once the day has passed, 'expiring' from 30 days before it, else 'ok'; null without a date. */
export function classifySecretExpiry(
	expiresOn: string | null,
	now: Date = new Date()
): SecretExpiry | null {
	if (!expiresOn) return null;
	const last = Date.parse(`${expiresOn}T00:00:00Z`);
	if (Number.isNaN(last)) return null;
	const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
	const daysLeft = Math.round((last - today) / DAY_MS);
	if (daysLeft < 0) return 'expired';
	return daysLeft <= EXPIRY_WARNING_DAYS ? 'expiring' : 'ok';
}

/** The edit form's initial values for a saved server: secrets blank ("keep the stored one"). */
export function buildServerFormValues(server: SmtpServerView): SmtpServerForm {
	return {
		auth: server.auth,
		name: server.name,
		host: server.host,
		port: server.port,
		security: server.security,
		fromAddress: server.fromAddress,
		fromName: server.fromName ?? '',
		verifyTls: server.verifyTls,
		caPem: server.caPem ?? '',
		timeoutSeconds: server.timeoutSeconds,
		maxConnections: server.maxConnections,
		messagesPerMinute: server.messagesPerMinute,
		recipientsPerDay: server.recipientsPerDay,
		username: server.username ?? '',
		password: '',
		tenantId: server.tenantId ?? '',
		clientId: server.clientId ?? '',
		clientSecret: '',
		clientSecretExpiresOn: server.clientSecretExpiresOn ?? '',
		mailbox: server.mailbox ?? '',
		cloud: server.cloud
	} as SmtpServerForm;
}
