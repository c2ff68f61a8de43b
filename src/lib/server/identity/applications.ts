/** Applications users launch from the portal: list, read, create, update, delete; every change audited. */
import { asc, eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { readKeysetPage, type Page, type PageQuery } from '../db/keyset-pages.js';
import type { ApplicationRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import type { ApplicationForm } from '../../schemas/applications.js';
import {
	isUniqueViolation,
	isUuid,
	notFound,
	type AuditContext,
	type DeleteResult,
	type SaveFailure
} from './common.js';

export async function listApplications(): Promise<ApplicationView[]> {
	const rows = await db()
		.select()
		.from(tables.applications)
		.orderBy(asc(sql`lower(${tables.applications.name})`));
	return rows.map(toView);
}

const applicationKey = sql<string>`lower(${tables.applications.name})`;

/** A page of the applications by name (whatever the letter case), searched on the start of the name. */
export async function listApplicationsPage(query: PageQuery): Promise<Page<ApplicationView>> {
	const page = await readKeysetPage(
		{
			key: applicationKey,
			searchOn: [applicationKey],
			read: (where, orderBy, limit) =>
				db().select().from(tables.applications).where(where).orderBy(orderBy).limit(limit),
			keyOf: (row) => row.name.toLowerCase()
		},
		query
	);
	return { ...page, items: page.items.map(toView) };
}

export async function getApplication(id: string): Promise<ApplicationView | null> {
	const row = await findRow(id);
	return row ? toView(row) : null;
}

export function applicationFormValues(app: ApplicationView): ApplicationForm {
	return { name: app.name, url: app.url, description: app.description };
}

export async function createApplication(
	form: ApplicationForm,
	audit: AuditContext
): Promise<SaveApplicationResult> {
	try {
		const [row] = await db()
			.insert(tables.applications)
			.values({ name: form.name, url: form.url, description: form.description })
			.returning();
		await recordAudit({
			actor: audit.actor,
			action: 'application.created',
			ip: audit.ip,
			detail: { id: row.id, name: row.name, url: row.url }
		});
		return { ok: true, application: toView(row) };
	} catch (error) {
		if (isUniqueViolation(error)) return nameTaken();
		throw error;
	}
}

export async function updateApplication(
	id: string,
	form: ApplicationForm,
	audit: AuditContext
): Promise<SaveApplicationResult> {
	const before = await findRow(id);
	if (!before) return notFound('application');
	try {
		const [row] = await db()
			.update(tables.applications)
			.set({ name: form.name, url: form.url, description: form.description, updatedAt: new Date() })
			.where(eq(tables.applications.id, id))
			.returning();
		if (!row) return notFound('application');
		await recordAudit({
			actor: audit.actor,
			action: 'application.updated',
			ip: audit.ip,
			detail: { id, name: row.name, changed: changedFields(before, row) }
		});
		return { ok: true, application: toView(row) };
	} catch (error) {
		if (isUniqueViolation(error)) return nameTaken();
		throw error;
	}
}

/** Past launches keep the application's name (launches.application_name); their link is cleared. */
export async function deleteApplication(id: string, audit: AuditContext): Promise<DeleteResult> {
	if (!isUuid(id))
		return { ok: false, code: 'not_found', message: 'This application no longer exists.' };
	const [row] = await db()
		.delete(tables.applications)
		.where(eq(tables.applications.id, id))
		.returning();
	if (!row) return { ok: false, code: 'not_found', message: 'This application no longer exists.' };
	await recordAudit({
		actor: audit.actor,
		action: 'application.deleted',
		ip: audit.ip,
		detail: { id, name: row.name }
	});
	return { ok: true };
}

async function findRow(id: string): Promise<ApplicationRow | null> {
	if (!isUuid(id)) return null;
	const [row] = await db().select().from(tables.applications).where(eq(tables.applications.id, id));
	return row ?? null;
}

function changedFields(before: ApplicationRow, after: ApplicationRow) {
	return (['name', 'url', 'description'] as const).filter((k) => before[k] !== after[k]);
}

function nameTaken(): SaveFailure<'name'> {
	return {
		ok: false,
		field: 'name',
		code: 'name_taken',
		message: 'Another application has this name.'
	};
}

function toView(row: ApplicationRow): ApplicationView {
	return {
		id: row.id,
		name: row.name,
		url: row.url,
		description: row.description,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

export interface ApplicationView {
	id: string;
	name: string;
	url: string;
	description: string;
	createdAt: Date;
	updatedAt: Date;
}

export type SaveApplicationResult =
	{ ok: true; application: ApplicationView } | SaveFailure<'name'>;
