/**
 * Identity domains (also called "identity providers"): local or LDAP. List (test domains first), read, create,
 * update, delete, and the LDAP "Test connection"; every change audited.
 *
 * The bind password is write-only: sealed before it is stored, never in a view. A blank password field keeps
 * the stored one only while the URL, the bind DN, StartTLS and the CA certificate are unchanged, on save and on
 * test alike (as for SMTP secrets, Keycloak #39486): otherwise an admin could point the stored password at a
 * server of their own, or have it sent in clear (StartTLS off on ldap://) or to whoever a new CA vouches for.
 */
import { FilterParser } from 'ldapts';
import { asc, count, desc, eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { DomainRow } from '../db/schema/index.js';
import { openSecret, sealSecret } from '../secrets.js';
import { recordAudit } from '../audit.js';
import type { DomainForm, LdapDomainForm } from '../../schemas/domains.js';
import { buildUserFilter, testLdapConnection, type LdapTestResult } from '../directory/ldap.js';
import type { LdapSettings } from '../directory/types.js';
import {
	isUniqueViolation,
	isUuid,
	notFound,
	type AuditContext,
	type DeleteResult,
	type SaveFailure
} from './common.js';

type Field = 'name' | 'otpGeneratorId' | 'bindPassword' | 'userFilter' | 'kind';

/** Every domain, test domains first, then by name; with the generator's name and the local user count. */
export async function listDomains(): Promise<DomainView[]> {
	const [rows, generators, counts] = await Promise.all([
		db()
			.select()
			.from(tables.domains)
			.orderBy(desc(tables.domains.isTest), asc(sql`lower(${tables.domains.name})`)),
		generatorSummaries(),
		db()
			.select({ domainId: tables.users.domainId, n: count() })
			.from(tables.users)
			.groupBy(tables.users.domainId)
	]);
	const userCounts = new Map(counts.map((c) => [c.domainId, c.n]));
	return rows.map((row) => toView(row, generators, userCounts.get(row.id) ?? 0));
}

/** What the /login select offers: id and name, test domains first (marked). */
export async function listSignInDomains(): Promise<
	{ id: string; name: string; isTest: boolean }[]
> {
	return db()
		.select({ id: tables.domains.id, name: tables.domains.name, isTest: tables.domains.isTest })
		.from(tables.domains)
		.orderBy(desc(tables.domains.isTest), asc(sql`lower(${tables.domains.name})`));
}

export async function getDomain(id: string): Promise<DomainView | null> {
	const row = await findDomainRow(id);
	if (!row) return null;
	const [{ n }] = await db()
		.select({ n: count() })
		.from(tables.users)
		.where(eq(tables.users.domainId, id));
	return toView(row, await generatorSummaries(), n);
}

/** The stored row (server side only: it holds the sealed bind password). */
export async function findDomainRow(id: string | null | undefined): Promise<DomainRow | null> {
	if (!isUuid(id)) return null;
	const [row] = await db().select().from(tables.domains).where(eq(tables.domains.id, id));
	return row ?? null;
}

/** The edit form's values for a stored domain; the bind password field starts blank (= keep). */
export function domainFormValues(d: DomainView): DomainForm {
	return {
		kind: d.kind,
		name: d.name,
		isTest: d.isTest,
		otpGeneratorId: d.otpGeneratorId ?? '',
		emailAttribute: d.emailAttribute,
		url: d.ldap?.url ?? '',
		startTls: d.ldap?.startTls ?? false,
		caPem: d.ldap?.caPem ?? '',
		bindDn: d.ldap?.bindDn ?? '',
		bindPassword: '',
		baseDn: d.ldap?.baseDn ?? '',
		userFilter: d.ldap?.userFilter ?? '',
		timeoutSeconds: d.ldap?.timeoutSeconds ?? 10
	} as DomainForm;
}

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
		return { ok: true, domain: toView(row, await generatorSummaries(), 0) };
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

/** Deletes the domain with its local users, TOTP enrollments and user sessions. */
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

/**
 * The LDAP settings a form describes, with the bind password typed or (same URL, bind DN, StartTLS and CA
 * certificate) the stored one: what "Test connection" uses before the form is saved.
 */
export async function resolveLdapTestSettings(
	form: LdapDomainForm,
	domainId: string | null
): Promise<{ ok: true; settings: LdapSettings } | SaveFailure<Field>> {
	const stored = domainId ? await findDomainRow(domainId) : null;
	if (domainId && !stored) return notFound('domain');
	const secret = resolveBindPassword(form, stored);
	if (!secret.ok) return secret;
	return {
		ok: true,
		settings: {
			url: form.url,
			startTls: form.startTls,
			caPem: normaliseCaPem(form.caPem),
			bindDn: form.bindDn || null,
			bindPassword: secret.plain,
			baseDn: form.baseDn,
			userFilter: form.userFilter,
			emailAttribute: form.emailAttribute,
			timeoutSeconds: form.timeoutSeconds
		}
	};
}

/**
 * "Test connection": binds, looks `username` up and reports the attributes found. Audited (admin probing a
 * network is worth a trace). Rate limiting belongs to the route's ladder.
 */
export async function testDomainConnection(input: {
	form: LdapDomainForm;
	domainId: string | null;
	username: string;
	audit: AuditContext;
}): Promise<{ ok: true; result: LdapTestResult } | SaveFailure<Field>> {
	const resolved = await resolveLdapTestSettings(input.form, input.domainId);
	if (!resolved.ok) return resolved;
	const result = await testLdapConnection(resolved.settings, input.username);
	await recordAudit({
		actor: input.audit.actor,
		action: 'domain.tested',
		outcome: result.ok ? 'ok' : 'failed',
		ip: input.audit.ip,
		detail: {
			domainId: input.domainId,
			url: input.form.url,
			username: input.username,
			diagnosis: result.ok ? null : result.diagnosis.id,
			emailPresent: result.ok ? result.emailPresent : null
		}
	});
	return { ok: true, result };
}

type SecretResolution =
	{ ok: true; sealed: string | null; plain: string | null; replaced: boolean } | SaveFailure<Field>;

function resolveBindPassword(form: DomainForm, stored: DomainRow | null): SecretResolution {
	if (form.kind !== 'ldap' || !form.bindDn)
		return { ok: true, sealed: null, plain: null, replaced: false };
	if (form.bindPassword !== '')
		return {
			ok: true,
			sealed: sealSecret(form.bindPassword),
			plain: form.bindPassword,
			replaced: true
		};
	const storedSealed = stored?.ldapBindPasswordSealed ?? null;
	if (!storedSealed)
		return {
			ok: false,
			field: 'bindPassword',
			code: 'secret_required',
			message: 'Enter the bind password.'
		};
	const changed = changedBindDestination(stored!, form);
	if (changed.length > 0)
		return {
			ok: false,
			field: 'bindPassword',
			code: 'secret_retype',
			message: `You changed the ${changed.join(', ')}: type the bind password again. A stored bind password is only reused for the destination it was saved for.`
		};
	return { ok: true, sealed: storedSealed, plain: openSecret(storedSealed), replaced: false };
}

/**
 * What decides where the stored bind password goes and how: the server (URL), the account (bind DN), whether
 * an ldap:// connection is upgraded to TLS before the bind (StartTLS), and which CA the server's certificate
 * must chain to. Any of them changed: the labels of those that did, as the form names them.
 */
function changedBindDestination(stored: DomainRow, form: LdapDomainForm): string[] {
	const changed: string[] = [];
	if (normaliseUrl(stored.ldapUrl) !== normaliseUrl(form.url)) changed.push('URL');
	if ((stored.ldapBindDn ?? '').trim().toLowerCase() !== form.bindDn.trim().toLowerCase())
		changed.push('bind DN');
	if (stored.ldapStartTls !== form.startTls) changed.push('StartTLS setting');
	if (sameCertificateText(stored.ldapCaPem) !== sameCertificateText(form.caPem))
		changed.push('CA certificate');
	return changed;
}

function normaliseUrl(url: string | null) {
	return (url ?? '').trim().toLowerCase().replace(/\/$/, '');
}

/** As stored: trimmed, blank = none. */
function normaliseCaPem(pem: string | null) {
	return pem?.trim() || null;
}

/** For comparing only: a textarea posts CR LF line breaks, a script may post LF; the certificate is the same. */
function sameCertificateText(pem: string | null) {
	return normaliseCaPem(pem)?.replace(/\r\n?/g, '\n') ?? null;
}

async function checkGenerator(form: DomainForm): Promise<SaveFailure<Field> | null> {
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
function checkFilter(form: DomainForm): SaveFailure<Field> | null {
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

async function generatorSummaries() {
	const rows = await db()
		.select({
			id: tables.otpGenerators.id,
			name: tables.otpGenerators.name,
			type: tables.otpGenerators.type
		})
		.from(tables.otpGenerators);
	return new Map(rows.map((r) => [r.id, r]));
}

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

function nameTaken(): SaveFailure<Field> {
	return { ok: false, field: 'name', code: 'name_taken', message: 'Another domain has this name.' };
}

function toView(
	row: DomainRow,
	generators: Map<string, { id: string; name: string; type: 'email' | 'totp' }>,
	userCount: number
): DomainView {
	return {
		id: row.id,
		kind: row.kind,
		name: row.name,
		isTest: row.isTest,
		otpGeneratorId: row.otpGeneratorId,
		otpGenerator: row.otpGeneratorId ? (generators.get(row.otpGeneratorId) ?? null) : null,
		emailAttribute: row.emailAttribute,
		ldap:
			row.kind === 'ldap'
				? {
						url: row.ldapUrl ?? '',
						startTls: row.ldapStartTls,
						caPem: row.ldapCaPem,
						bindDn: row.ldapBindDn,
						hasBindPassword: row.ldapBindPasswordSealed !== null,
						baseDn: row.ldapBaseDn ?? '',
						userFilter: row.ldapUserFilter ?? '',
						timeoutSeconds: row.ldapTimeoutSeconds
					}
				: null,
		userCount,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

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

export type SaveDomainResult = { ok: true; domain: DomainView } | SaveFailure<Field>;
