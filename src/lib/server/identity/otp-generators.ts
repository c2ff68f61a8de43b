/**
 * OTP token generators: "OTP – e-mail" and "OTP – Google Authenticator" (TOTP). List, read,
 * create, update, delete (refused while a domain uses the generator); every change audited. Also what the
 * SMTP servers page needs to know (which generators use a server) and the sample message of the
 * configuration test.
 */
import { asc, eq, inArray, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { db, tables } from '../db/index.js';
import { readKeysetPage, type Page, type PageQuery } from '../db/keyset-pages.js';
import type { OtpGeneratorRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import type { OtpGeneratorForm } from '../../schemas/otp-generators.js';
import { generateNumericCode } from '../otp/email-otp.js';
import { sampleCodeMail } from '../mail/templates/sample-code.js';
import {
	isUniqueViolation,
	isUuid,
	notFound,
	type AuditContext,
	type DeleteResult,
	type SaveFailure
} from './common.js';
import { registerServerUsage } from '../mail/usages.js';

type Field = 'name' | 'smtpServerId' | 'fallbackSmtpServerId';

export async function listOtpGenerators(): Promise<OtpGeneratorView[]> {
	const [rows, usages, servers] = await Promise.all([
		db()
			.select()
			.from(tables.otpGenerators)
			.orderBy(asc(sql`lower(${tables.otpGenerators.name})`)),
		db()
			.select({
				generatorId: tables.domains.otpGeneratorId,
				id: tables.domains.id,
				name: tables.domains.name
			})
			.from(tables.domains)
			.orderBy(asc(sql`lower(${tables.domains.name})`)),
		serverNames()
	]);
	return rows.map((row) =>
		toView(
			row,
			servers,
			usages.filter((u) => u.generatorId === row.id).map(({ id, name }) => ({ id, name }))
		)
	);
}

const generatorKey = sql<string>`lower(${tables.otpGenerators.name})`;

/** A page of the generators by name, searched on the start of the name; the domains using each, this page's only. */
export async function listOtpGeneratorsPage(query: PageQuery): Promise<Page<OtpGeneratorView>> {
	const page = await readKeysetPage(
		{
			key: generatorKey,
			searchOn: [generatorKey],
			read: (where, orderBy, limit) =>
				db().select().from(tables.otpGenerators).where(where).orderBy(orderBy).limit(limit),
			keyOf: (row) => row.name.toLowerCase()
		},
		query
	);
	const ids = page.items.map((row) => row.id);
	const [usages, servers] = await Promise.all([
		ids.length
			? db()
					.select({
						generatorId: tables.domains.otpGeneratorId,
						id: tables.domains.id,
						name: tables.domains.name
					})
					.from(tables.domains)
					.where(inArray(tables.domains.otpGeneratorId, ids))
					.orderBy(asc(sql`lower(${tables.domains.name})`))
			: [],
		serverNames()
	]);
	return {
		...page,
		items: page.items.map((row) =>
			toView(
				row,
				servers,
				usages.filter((u) => u.generatorId === row.id).map(({ id, name }) => ({ id, name }))
			)
		)
	};
}

export async function getOtpGenerator(id: string): Promise<OtpGeneratorView | null> {
	const row = await findOtpGeneratorRow(id);
	if (!row) return null;
	const usedBy = await domainsUsing(id);
	return toView(row, await serverNames(), usedBy);
}

/** The stored row (server side: the login flow reads the settings from it). */
export async function findOtpGeneratorRow(id: string | null): Promise<OtpGeneratorRow | null> {
	if (!isUuid(id)) return null;
	const [row] = await db()
		.select()
		.from(tables.otpGenerators)
		.where(eq(tables.otpGenerators.id, id));
	return row ?? null;
}

/** The edit form's values for a stored generator (every branch's fields, as the form defaults do). */
export function otpGeneratorFormValues(g: OtpGeneratorView): OtpGeneratorForm {
	return {
		type: g.type,
		name: g.name,
		smtpServerId: g.smtpServerId ?? '',
		fallbackSmtpServerId: g.fallbackSmtpServerId ?? '',
		sender: g.sender ?? '',
		codeLength: g.codeLength,
		validityMinutes: Math.round(g.validitySeconds / 60),
		issuer: g.issuer ?? 'Postern',
		showQr: g.showQr,
		sendKeyByEmail: g.sendKeyByEmail,
		algorithm: g.algorithm,
		digits: g.digits,
		period: g.period
	} as OtpGeneratorForm;
}

export async function createOtpGenerator(
	form: OtpGeneratorForm,
	audit: AuditContext
): Promise<SaveOtpGeneratorResult> {
	const missing = await checkServer(form);
	if (missing) return missing;
	try {
		const [row] = await db().insert(tables.otpGenerators).values(columns(form)).returning();
		await recordAudit({
			actor: audit.actor,
			action: 'otp_generator.created',
			ip: audit.ip,
			detail: auditDetail(row)
		});
		return { ok: true, generator: toView(row, await serverNames(), []) };
	} catch (error) {
		if (isUniqueViolation(error)) return nameTaken();
		throw error;
	}
}

export async function updateOtpGenerator(
	id: string,
	form: OtpGeneratorForm,
	audit: AuditContext
): Promise<SaveOtpGeneratorResult> {
	const before = await findOtpGeneratorRow(id);
	if (!before) return notFound('OTP generator');
	const missing = await checkServer(form);
	if (missing) return missing;
	try {
		const [row] = await db()
			.update(tables.otpGenerators)
			.set({ ...columns(form), updatedAt: new Date() })
			.where(eq(tables.otpGenerators.id, id))
			.returning();
		if (!row) return notFound('OTP generator');
		await recordAudit({
			actor: audit.actor,
			action: 'otp_generator.updated',
			ip: audit.ip,
			detail: { ...auditDetail(row), changed: changedFields(before, row) }
		});
		return { ok: true, generator: toView(row, await serverNames(), await domainsUsing(id)) };
	} catch (error) {
		if (isUniqueViolation(error)) return nameTaken();
		throw error;
	}
}

export async function deleteOtpGenerator(id: string, audit: AuditContext): Promise<DeleteResult> {
	const row = await findOtpGeneratorRow(id);
	if (!row)
		return { ok: false, code: 'not_found', message: 'This OTP generator no longer exists.' };
	const usedBy = await domainsUsing(id);
	if (usedBy.length)
		return {
			ok: false,
			code: 'in_use',
			usedBy,
			message: `Used by ${usedBy.map((d) => d.name).join(', ')}: choose other authentication tokens there first.`
		};
	await db().delete(tables.otpGenerators).where(eq(tables.otpGenerators.id, id));
	await recordAudit({
		actor: audit.actor,
		action: 'otp_generator.deleted',
		ip: audit.ip,
		detail: { id, name: row.name, type: row.type }
	});
	return { ok: true };
}

/**
 * What the SMTP servers page lists as users of these servers (and why a delete is refused): each generator
 * through its server, and through its fallback.
 */
export async function otpGeneratorUsagesOfServers(serverIds: string[]) {
	const generators = tables.otpGenerators;
	const fallbackServer = alias(tables.smtpServers, 'fallback_server');
	const rows = await db()
		.select({
			serverId: generators.smtpServerId,
			fallbackId: generators.fallbackSmtpServerId,
			fallbackName: fallbackServer.name,
			name: generators.name,
			type: generators.type
		})
		.from(generators)
		.leftJoin(fallbackServer, eq(fallbackServer.id, generators.fallbackSmtpServerId))
		.where(
			or(
				inArray(generators.smtpServerId, serverIds),
				inArray(generators.fallbackSmtpServerId, serverIds)
			)
		);
	const kindOf = (type: string) =>
		type === 'email' ? 'OTP generator (e-mail)' : 'OTP generator (TOTP keys)';
	return rows.flatMap((r) => [
		...(r.serverId && serverIds.includes(r.serverId)
			? [
					{
						serverId: r.serverId,
						kind: kindOf(r.type),
						name: r.name,
						...(r.fallbackName ? { fallback: r.fallbackName } : {})
					}
				]
			: []),
		...(r.fallbackId && serverIds.includes(r.fallbackId)
			? [{ serverId: r.fallbackId, kind: `${kindOf(r.type)}, as fallback`, name: r.name }]
			: [])
	]);
}
registerServerUsage('otpGenerators', otpGeneratorUsagesOfServers);

/**
 * The "Configuration test" message of an e-mail OTP generator: a sample code (never a real one) from the
 * generator's sender through its server. The caller sends it with the mail module's test send.
 */
export function sampleOtpMail(
	settings: { smtpServerId: string; sender: string; codeLength: number; name: string },
	to: string
): { smtpServerId: string; from: string; to: string; subject: string; text: string } {
	const code = generateNumericCode(settings.codeLength);
	return {
		smtpServerId: settings.smtpServerId,
		from: settings.sender,
		to,
		...sampleCodeMail({ generatorName: settings.name, code })
	};
}

async function checkServer(form: OtpGeneratorForm): Promise<SaveFailure<Field> | null> {
	return (
		(await checkServerExists(form.smtpServerId, 'smtpServerId')) ??
		(await checkServerExists(form.fallbackSmtpServerId, 'fallbackSmtpServerId'))
	);
}

async function checkServerExists(id: string, field: Field): Promise<SaveFailure<Field> | null> {
	if (!id) return null;
	const [row] = isUuid(id)
		? await db()
				.select({ id: tables.smtpServers.id })
				.from(tables.smtpServers)
				.where(eq(tables.smtpServers.id, id))
		: [];
	return row
		? null
		: {
				ok: false,
				field,
				code: 'server_missing',
				message: 'This SMTP server no longer exists. Choose another one.'
			};
}

function columns(form: OtpGeneratorForm) {
	if (form.type === 'email')
		return {
			type: 'email' as const,
			name: form.name,
			smtpServerId: form.smtpServerId,
			fallbackSmtpServerId: form.fallbackSmtpServerId || null,
			sender: form.sender,
			codeLength: form.codeLength,
			validitySeconds: form.validityMinutes * 60,
			issuer: null,
			algorithm: 'sha1' as const,
			digits: 6,
			period: 30,
			showQr: false,
			sendKeyByEmail: false
		};
	return {
		type: 'totp' as const,
		name: form.name,
		smtpServerId: form.smtpServerId || null,
		fallbackSmtpServerId: form.smtpServerId ? form.fallbackSmtpServerId || null : null,
		sender: form.sender || null,
		codeLength: 6,
		validitySeconds: 300,
		issuer: form.issuer,
		algorithm: form.algorithm,
		digits: form.digits,
		period: form.period,
		showQr: form.showQr,
		sendKeyByEmail: form.sendKeyByEmail
	};
}

async function domainsUsing(generatorId: string) {
	return db()
		.select({ id: tables.domains.id, name: tables.domains.name })
		.from(tables.domains)
		.where(eq(tables.domains.otpGeneratorId, generatorId))
		.orderBy(asc(sql`lower(${tables.domains.name})`));
}

async function serverNames(): Promise<Map<string, string>> {
	const rows = await db()
		.select({ id: tables.smtpServers.id, name: tables.smtpServers.name })
		.from(tables.smtpServers);
	return new Map(rows.map((r) => [r.id, r.name]));
}

function changedFields(before: OtpGeneratorRow, after: OtpGeneratorRow) {
	const fields = [
		'type',
		'name',
		'smtpServerId',
		'sender',
		'codeLength',
		'validitySeconds',
		'issuer',
		'algorithm',
		'digits',
		'period',
		'showQr',
		'sendKeyByEmail'
	] as const;
	return fields.filter((k) => before[k] !== after[k]);
}

function auditDetail(row: OtpGeneratorRow) {
	return {
		id: row.id,
		name: row.name,
		type: row.type,
		smtpServerId: row.smtpServerId,
		fallbackSmtpServerId: row.fallbackSmtpServerId,
		sender: row.sender,
		...(row.type === 'totp' ? { mailsEnrollment: row.sendKeyByEmail, showQr: row.showQr } : {})
	};
}

function nameTaken(): SaveFailure<Field> {
	return {
		ok: false,
		field: 'name',
		code: 'name_taken',
		message: 'Another OTP generator has this name.'
	};
}

function toView(
	row: OtpGeneratorRow,
	servers: Map<string, string>,
	usedBy: { id: string; name: string }[]
): OtpGeneratorView {
	return {
		id: row.id,
		type: row.type,
		name: row.name,
		smtpServerId: row.smtpServerId,
		smtpServerName: row.smtpServerId ? (servers.get(row.smtpServerId) ?? null) : null,
		fallbackSmtpServerId: row.fallbackSmtpServerId,
		fallbackSmtpServerName: row.fallbackSmtpServerId
			? (servers.get(row.fallbackSmtpServerId) ?? null)
			: null,
		sender: row.sender,
		codeLength: row.codeLength,
		validitySeconds: row.validitySeconds,
		issuer: row.issuer,
		algorithm: row.algorithm,
		digits: row.digits === 8 ? 8 : 6,
		period: row.period === 60 ? 60 : 30,
		showQr: row.showQr,
		sendKeyByEmail: row.sendKeyByEmail,
		usedBy,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

export interface OtpGeneratorView {
	id: string;
	type: 'email' | 'totp';
	name: string;
	smtpServerId: string | null;
	smtpServerName: string | null;
	/** "Fallback SMTP server" (null: none). */
	fallbackSmtpServerId: string | null;
	fallbackSmtpServerName: string | null;
	sender: string | null;
	/** E-mail OTP */
	codeLength: number;
	validitySeconds: number;
	/** TOTP */
	issuer: string | null;
	algorithm: 'sha1' | 'sha256' | 'sha512';
	digits: 6 | 8;
	period: 30 | 60;
	showQr: boolean;
	sendKeyByEmail: boolean;
	/** Domains whose authentication tokens are this generator. */
	usedBy: { id: string; name: string }[];
	createdAt: Date;
	updatedAt: Date;
}

export type SaveOtpGeneratorResult = { ok: true; generator: OtpGeneratorView } | SaveFailure<Field>;
