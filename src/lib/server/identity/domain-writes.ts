/**
 * Creating, updating and deleting identity domains; every change audited. A domain's name is unique, its OTP
 * generator must exist, an LDAP user filter must parse, and a domain stays local or LDAP once created. The
 * bind password is sealed under the rule of domain-bind-password.ts.
 */
import { FilterParser } from 'ldapts';
import { eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { DomainRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import type { DomainForm } from '../../schemas/domains.js';
import { buildUserFilter } from '../directory/ldap.js';
import {
	isUniqueViolation,
	isUuid,
	notFound,
	type AuditContext,
	type DeleteResult,
	type SaveFailure
} from './common.js';
import { normaliseCaPem, resolveBindPassword } from './domain-bind-password.js';
import { findDomainRow, generatorSummaries, getDomain } from './domain-reads.js';
import type { DomainField, SaveDomainResult } from './domain-types.js';
import { toDomainView } from './domain-view.js';

export async function createDomain(
	form: DomainForm,
	audit: AuditContext
): Promise<SaveDomainResult> {
	const problem = (await checkGenerator(form)) ?? checkFilter(form);
	if (problem) return problem;
	const secret = resolveBindPassword(form, null);
	if (!secret.ok) return secret;
	try {
		const [row] = await db()
			.insert(tables.domains)
			.values(columns(form, secret.sealed))
			.returning();
		await recordAudit({
			actor: audit.actor,
			action: 'domain.created',
			ip: audit.ip,
			detail: auditDetail(row)
		});
		return { ok: true, domain: toDomainView(row, await generatorSummaries(), 0) };
	} catch (error) {
		if (isUniqueViolation(error)) return nameTaken();
		throw error;
	}
}

export async function updateDomain(
	id: string,
	form: DomainForm,
	audit: AuditContext
): Promise<SaveDomainResult> {
	const before = await findDomainRow(id);
	if (!before) return notFound('domain');
	if (before.kind !== form.kind)
		return {
			ok: false,
			field: 'kind',
			code: 'kind_locked',
			message:
				'A domain stays local or LDAP once created (its users and enrollments depend on it). Create a new domain instead.'
		};
	const problem = (await checkGenerator(form)) ?? checkFilter(form);
	if (problem) return problem;
	const secret = resolveBindPassword(form, before);
	if (!secret.ok) return secret;
	try {
		const [row] = await db()
			.update(tables.domains)
			.set({ ...columns(form, secret.sealed), updatedAt: new Date() })
			.where(eq(tables.domains.id, id))
			.returning();
		if (!row) return notFound('domain');
		await recordAudit({
			actor: audit.actor,
			action: 'domain.updated',
			ip: audit.ip,
			detail: {
				...auditDetail(row),
				// A value in a list, not a field name: audit redaction drops fields named like secrets.
				changed: [...changedFields(before, row), ...(secret.replaced ? ['bind password'] : [])]
			}
		});
		return { ok: true, domain: (await getDomain(id))! };
	} catch (error) {
		if (isUniqueViolation(error)) return nameTaken();
		throw error;
	}
}

/**
 * Deletes the domain with its local users, TOTP enrollments, user sessions and pending OTP challenges: their
 * foreign keys cascade, so the database removes them in the same statement.
 */
export async function deleteDomain(id: string, audit: AuditContext): Promise<DeleteResult> {
	const [row] = await db()
		.delete(tables.domains)
		.where(isUuid(id) ? eq(tables.domains.id, id) : sql`false`)
		.returning();
	if (!row) return { ok: false, code: 'not_found', message: 'This domain no longer exists.' };
	await recordAudit({
		actor: audit.actor,
		action: 'domain.deleted',
		ip: audit.ip,
		detail: { id, name: row.name, kind: row.kind }
	});
	return { ok: true };
}

async function checkGenerator(form: DomainForm): Promise<SaveFailure<DomainField> | null> {
	if (!form.otpGeneratorId) return null;
	const [row] = isUuid(form.otpGeneratorId)
		? await db()
				.select({ id: tables.otpGenerators.id })
				.from(tables.otpGenerators)
				.where(eq(tables.otpGenerators.id, form.otpGeneratorId))
		: [];
	return row
		? null
		: {
				ok: false,
				field: 'otpGeneratorId',
				code: 'generator_missing',
				message: 'This OTP generator no longer exists. Choose another one.'
			};
}

/** The filter must parse once `{username}` is filled in (the form only checks its shape). */
function checkFilter(form: DomainForm): SaveFailure<DomainField> | null {
	if (form.kind !== 'ldap') return null;
	try {
		FilterParser.parseString(buildUserFilter(form.userFilter, 'probe'));
		return null;
	} catch {
		return {
			ok: false,
			field: 'userFilter',
			code: 'filter_invalid',
			message:
				'This is not a valid LDAP filter, e.g. (&(objectClass=inetOrgPerson)(uid={username})).'
		};
	}
}

/** The columns a form sets; a local domain clears every LDAP column. */
function columns(form: DomainForm, sealedPassword: string | null) {
	const common = {
		kind: form.kind,
		name: form.name,
		isTest: form.isTest,
		otpGeneratorId: form.otpGeneratorId || null,
		emailAttribute: form.emailAttribute
	};
	if (form.kind === 'local')
		return {
			...common,
			ldapUrl: null,
			ldapStartTls: false,
			ldapCaPem: null,
			ldapBindDn: null,
			ldapBindPasswordSealed: null,
			ldapBaseDn: null,
			ldapUserFilter: null
		};
	return {
		...common,
		ldapUrl: form.url,
		ldapStartTls: form.startTls,
		ldapCaPem: normaliseCaPem(form.caPem),
		ldapBindDn: form.bindDn || null,
		ldapBindPasswordSealed: sealedPassword,
		ldapBaseDn: form.baseDn,
		ldapUserFilter: form.userFilter,
		ldapTimeoutSeconds: form.timeoutSeconds
	};
}

/** The non-secret fields an update changed (the bind password is reported apart, by name only). */
function changedFields(before: DomainRow, after: DomainRow) {
	const fields = [
		'name',
		'isTest',
		'otpGeneratorId',
		'emailAttribute',
		'ldapUrl',
		'ldapStartTls',
		'ldapCaPem',
		'ldapBindDn',
		'ldapBaseDn',
		'ldapUserFilter',
		'ldapTimeoutSeconds'
	] as const;
	return fields.filter((k) => before[k] !== after[k]);
}

function auditDetail(row: DomainRow) {
	return {
		id: row.id,
		name: row.name,
		kind: row.kind,
		isTest: row.isTest,
		otpGeneratorId: row.otpGeneratorId,
		emailAttribute: row.emailAttribute,
		...(row.kind === 'ldap'
			? { url: row.ldapUrl, bindDn: row.ldapBindDn, baseDn: row.ldapBaseDn }
			: {})
	};
}

function nameTaken(): SaveFailure<DomainField> {
	return { ok: false, field: 'name', code: 'name_taken', message: 'Another domain has this name.' };
}
