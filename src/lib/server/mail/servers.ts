/**
 * SMTP server records: list, read, create, update, delete. Every change is audited (never a secret value).
 *
 * Secrets are write-only. They are sealed before they reach the database and only two functions open them:
 * getServerSettings() for sending and resolveServerSettings() for testing a form; neither result may go to a
 * page. Pages get SmtpServerView, where a secret is only `hasPassword` / `hasClientSecret`.
 *
 * A blank secret field keeps the stored secret only while its destination is unchanged (secret-reuse.ts,
 * Keycloak #39486): the same rule applies on save and when an edited form is tested before it is saved.
 */
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { SmtpServerRow } from '../db/schema/index.js';
import { openSecret, sealSecret } from '../secrets.js';
import { recordAudit } from '../audit.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import {
	findChangedDestinationFields,
	resolveSecretInput,
	type DestinationField,
	type SecretDestination,
	type SecretKind
} from './secret-reuse.js';
import { findServerUsages } from './usages.js';
import { closeServerTransport } from './transport.js';
import { fingerprintSettings, recallTestOutcome } from './last-test.js';
import type {
	SecretExpiry,
	ServerUsage,
	SmtpAuthSettings,
	SmtpServerSettings,
	SmtpServerView
} from './types.js';
import type { AuditContext } from '../audit.js';
import { isUuid } from '../ids.js';
import { limitsOf } from './limits.js';
import { isUniqueViolation } from '../db/errors.js';

export { findServerUsages };

const DAY_MS = 86_400_000;
const EXPIRY_WARNING_DAYS = 30;

export async function listSmtpServers(): Promise<SmtpServerListItem[]> {
	const rows = await db()
		.select()
		.from(tables.smtpServers)
		.orderBy(asc(sql`lower(${tables.smtpServers.name})`));
	return Promise.all(
		rows.map(async (row) => ({ ...toView(row), usages: await findServerUsages(row.id) }))
	);
}

export async function getSmtpServer(id: string): Promise<SmtpServerView | null> {
	const row = await findRow(id);
	return row ? toView(row) : null;
}

export async function createSmtpServer(
	form: SmtpServerForm,
	audit: AuditContext
): Promise<SaveServerResult> {
	const taken = await findNameConflict(form.name);
	if (taken) return nameTaken();
	const secrets = resolveSecrets(form, null);
	if (!secrets.ok) return secrets;
	let row: SmtpServerRow;
	try {
		[row] = await db()
			.insert(tables.smtpServers)
			.values({ ...toColumns(form), ...secrets.columns })
			.returning();
	} catch (error) {
		if (isUniqueViolation(error)) return nameTaken();
		throw error;
	}
	row = await settleLastTest(row, null);
	await recordAudit({
		actor: audit.actor,
		action: 'smtp.created',
		ip: audit.ip,
		detail: { ...describeForAudit(row), replaced: secrets.replaced }
	});
	return { ok: true, server: toView(row) };
}

export async function updateSmtpServer(
	id: string,
	form: SmtpServerForm,
	audit: AuditContext
): Promise<SaveServerResult> {
	const before = await findRow(id);
	if (!before) return notFound();
	if (await findNameConflict(form.name, id)) return nameTaken();
	const secrets = resolveSecrets(form, before);
	if (!secrets.ok) return secrets;
	const columns = { ...toColumns(form), ...secrets.columns };
	let row: SmtpServerRow;
	try {
		[row] = await db()
			.update(tables.smtpServers)
			.set({ ...columns, updatedAt: new Date() })
			.where(eq(tables.smtpServers.id, id))
			.returning();
	} catch (error) {
		if (isUniqueViolation(error)) return nameTaken();
		throw error;
	}
	if (!row) return notFound();
	row = await settleLastTest(row, before);
	// The pooled transport would notice the new updatedAt on its next send; closing it now also ends idle
	// connections that still hold the old credentials.
	await closeServerTransport(id);
	await recordAudit({
		actor: audit.actor,
		action: 'smtp.updated',
		ip: audit.ip,
		detail: {
			...describeForAudit(row),
			changed: listChangedColumns(before, columns),
			replaced: secrets.replaced
		}
	});
	return { ok: true, server: toView(row) };
}

export async function deleteSmtpServer(
	id: string,
	audit: AuditContext
): Promise<DeleteServerResult> {
	const row = await findRow(id);
	if (!row) return { ok: false, code: 'not_found', message: 'This SMTP server no longer exists.' };
	const usages = await findServerUsages(id);
	if (usages.length > 0) {
		await recordAudit({
			actor: audit.actor,
			action: 'smtp.deleted',
			outcome: 'failed',
			ip: audit.ip,
			detail: { id, name: row.name, reason: 'in use', usedBy: usages }
		});
		return {
			ok: false,
			code: 'in_use',
			usages,
			message: `“${row.name}” is in use by ${usages.map((u) => `${u.kind}: ${u.name}`).join('; ')}. Choose another server there first.`
		};
	}
	await db().delete(tables.smtpServers).where(eq(tables.smtpServers.id, id));
	await closeServerTransport(id);
	await recordAudit({
		actor: audit.actor,
		action: 'smtp.deleted',
		ip: audit.ip,
		detail: { id, name: row.name, host: row.host, port: row.port }
	});
	return { ok: true };
}

/** A saved server's settings with its secrets opened, for sending. Server-side only: never give it to a page. */
export async function getServerSettings(id: string): Promise<SmtpServerSettings | null> {
	const row = await findRow(id);
	return row ? toSettings(row) : null;
}

/**
 * The settings a configuration test of `form` runs with, for a new server (no `id`) or an edited one. A blank
 * secret reuses the stored one under the same rule as saving: an edited destination needs the secret typed
 * again, so a test can never carry a stored secret to a new place.
 */
export async function resolveServerSettings(
	form: SmtpServerForm,
	id?: string
): Promise<ResolveSettingsResult> {
	const before = id ? await findRow(id) : null;
	if (id && !before) return notFound();
	const secrets = resolveSecrets(form, before ?? null);
	if (!secrets.ok) return secrets;
	const openedPassword =
		secrets.columns.passwordSealed === undefined
			? before?.passwordSealed && openSecret(before.passwordSealed)
			: null;
	const openedClientSecret =
		secrets.columns.clientSecretSealed === undefined
			? before?.clientSecretSealed && openSecret(before.clientSecretSealed)
			: null;
	const columns = toColumns(form);
	const auth = buildAuthSettings(form, {
		password: secrets.typed.password ?? openedPassword ?? '',
		clientSecret: secrets.typed.clientSecret ?? openedClientSecret ?? ''
	});
	return {
		ok: true,
		settings: {
			id,
			name: columns.name,
			host: columns.host,
			port: columns.port,
			security: columns.security,
			auth,
			fromAddress: columns.fromAddress,
			fromName: columns.fromName,
			verifyTls: columns.verifyTls,
			caPem: columns.caPem,
			timeoutSeconds: columns.timeoutSeconds
		}
	};
}

/** The edit form's initial values for a saved server: secrets blank ("keep the stored one"). */
/**
 * What the form changes among the fields that decide where a stored secret goes (and for whom), compared with
 * the saved server; null when there is no such server. The site settings ask for the admin's password when
 * this is not empty: the site's mail carries password-reset links.
 */
export async function findChangedServerDestination(
	id: string,
	form: SmtpServerForm
): Promise<DestinationField[] | null> {
	const before = await findRow(id);
	if (!before) return null;
	return findChangedDestinationFields(
		'clientSecret',
		destinationOf(before),
		destinationOf(toColumns(form))
	);
}

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

/**
 * The last test after a save: kept when nothing a test depends on changed, else the outcome of a test of
 * exactly these settings from the last hour (edit, test, save), else none (last-test.ts).
 */
async function settleLastTest(row: SmtpServerRow, before: SmtpServerRow | null) {
	const fingerprint = fingerprintSettings(toSettings(row));
	if (before && fingerprintSettings(toSettings(before)) === fingerprint) return row;
	const outcome = await recallTestOutcome(fingerprint);
	if (!before && !outcome) return row;
	const [updated] = await db()
		.update(tables.smtpServers)
		.set({
			lastTestAt: outcome?.at ?? null,
			lastTestOk: outcome?.ok ?? null,
			lastTestSummary: outcome?.summary ?? null
		})
		.where(eq(tables.smtpServers.id, row.id))
		.returning();
	return updated ?? row;
}

async function findRow(id: string): Promise<SmtpServerRow | null> {
	if (!isUuid(id)) return null;
	const [row] = await db().select().from(tables.smtpServers).where(eq(tables.smtpServers.id, id));
	return row ?? null;
}

async function findNameConflict(name: string, exceptId?: string) {
	const sameName = eq(sql`lower(${tables.smtpServers.name})`, name.trim().toLowerCase());
	const [row] = await db()
		.select({ id: tables.smtpServers.id })
		.from(tables.smtpServers)
		.where(exceptId ? and(sameName, ne(tables.smtpServers.id, exceptId)) : sameName);
	return Boolean(row);
}

/** The non-secret columns the form sets. Fields of other authentication types are cleared. */
function toColumns(form: SmtpServerForm) {
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

function destinationOf(source: SmtpServerRow | ReturnType<typeof toColumns>): SecretDestination {
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

const SECRET_FIELD: Record<SecretKind, { field: 'password' | 'clientSecret'; label: string }> = {
	password: { field: 'password', label: 'password' },
	clientSecret: { field: 'clientSecret', label: 'client secret' }
};

const FIELD_LABELS: Record<DestinationField, string> = {
	host: 'server',
	port: 'port',
	security: 'connection type',
	auth: 'authentication',
	username: 'username',
	mailbox: 'mailbox',
	fromAddress: 'sender address',
	verifyTls: 'TLS verification setting',
	caPem: 'CA certificate',
	cloud: 'cloud',
	tenantId: 'tenant ID',
	clientId: 'client ID'
};

/**
 * Applies the reuse rule to the secret the form's authentication needs. `columns` holds the sealed values to
 * write (a key left out keeps the stored value); secrets of other authentication types are cleared.
 */
function resolveSecrets(form: SmtpServerForm, before: SmtpServerRow | null): SecretsResolution {
	const columns: { passwordSealed?: string | null; clientSecretSealed?: string | null } = {
		passwordSealed: null,
		clientSecretSealed: null
	};
	const typed: { password?: string; clientSecret?: string } = {};
	const replaced: string[] = [];
	const kind: SecretKind | null =
		form.auth === 'basic' ? 'password' : form.auth === 'microsoft' ? 'clientSecret' : null;
	if (!kind) return { ok: true, columns, typed, replaced };

	const { field, label } = SECRET_FIELD[kind];
	const value =
		form.auth === 'basic' ? form.password : form.auth === 'microsoft' ? form.clientSecret : '';
	const stored = kind === 'password' ? before?.passwordSealed : before?.clientSecretSealed;
	const changed = before
		? findChangedDestinationFields(kind, destinationOf(before), destinationOf(toColumns(form)))
		: [];
	const decision = resolveSecretInput({ typed: value, hasStored: Boolean(stored), changed });
	if ('error' in decision) {
		if (decision.error === 'required')
			return {
				ok: false,
				field,
				code: 'secret_required',
				message: `Enter the ${label}.`
			};
		const what = decision.changed.map((f) => FIELD_LABELS[f]).join(', ');
		return {
			ok: false,
			field,
			code: 'secret_retype',
			changed: decision.changed,
			message: `You changed the ${what}: type the ${label} again. A stored ${label} is only reused for the destination it was saved for.`
		};
	}
	const sealedKey = kind === 'password' ? 'passwordSealed' : 'clientSecretSealed';
	if (decision.action === 'keep') delete columns[sealedKey];
	else {
		columns[sealedKey] = sealSecret(decision.value);
		typed[field] = decision.value;
		replaced.push(field);
	}
	return { ok: true, columns, typed, replaced };
}

function buildAuthSettings(
	form: SmtpServerForm,
	secrets: { password: string; clientSecret: string }
): SmtpAuthSettings {
	if (form.auth === 'basic')
		return { type: 'basic', username: form.username, password: secrets.password };
	if (form.auth === 'microsoft')
		return {
			type: 'microsoft',
			mailbox: form.mailbox,
			cloud: form.cloud,
			tenantId: form.tenantId,
			clientId: form.clientId,
			clientSecret: secrets.clientSecret
		};
	return { type: 'none' };
}

function toSettings(row: SmtpServerRow): SmtpServerSettings {
	let auth: SmtpAuthSettings = { type: 'none' };
	if (row.auth === 'basic')
		auth = {
			type: 'basic',
			username: row.username ?? '',
			password: row.passwordSealed ? openSecret(row.passwordSealed) : ''
		};
	else if (row.auth === 'microsoft')
		auth = {
			type: 'microsoft',
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

function toView(row: SmtpServerRow): SmtpServerView {
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

function describeForAudit(row: SmtpServerRow) {
	return {
		id: row.id,
		name: row.name,
		host: row.host,
		port: row.port,
		security: row.security,
		auth: row.auth,
		fromAddress: row.fromAddress
	};
}

function listChangedColumns(before: SmtpServerRow, after: Record<string, unknown>) {
	return Object.keys(after).filter(
		(key) =>
			!key.endsWith('Sealed') &&
			JSON.stringify(before[key as keyof SmtpServerRow] ?? null) !==
				JSON.stringify(after[key] ?? null)
	);
}

function nameTaken(): SaveServerFailure {
	return {
		ok: false,
		field: 'name',
		code: 'name_taken',
		message: 'Another SMTP server already has this display name.'
	};
}

function notFound(): SaveServerFailure {
	return {
		ok: false,
		field: null,
		code: 'not_found',
		message: 'This SMTP server no longer exists.'
	};
}

export type { AuditContext } from '../audit.js';

export type SmtpServerListItem = SmtpServerView & { usages: ServerUsage[] };

export interface SaveServerFailure {
	ok: false;
	/** The form field the message belongs to (null: the form as a whole). */
	field: 'name' | 'password' | 'clientSecret' | null;
	code: 'name_taken' | 'secret_required' | 'secret_retype' | 'not_found';
	message: string;
	/** For 'secret_retype': the fields whose change requires the secret again. */
	changed?: DestinationField[];
}

export type SaveServerResult = { ok: true; server: SmtpServerView } | SaveServerFailure;

export type DeleteServerResult =
	| { ok: true }
	| { ok: false; code: 'in_use'; usages: ServerUsage[]; message: string }
	| { ok: false; code: 'not_found'; message: string };

export type ResolveSettingsResult = { ok: true; settings: SmtpServerSettings } | SaveServerFailure;

type SecretsResolution =
	| {
			ok: true;
			columns: { passwordSealed?: string | null; clientSecretSealed?: string | null };
			typed: { password?: string; clientSecret?: string };
			replaced: string[];
	  }
	| SaveServerFailure;
