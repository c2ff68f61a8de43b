/** Reading SMTP servers: the list with what uses each server, one server's view, its settings for sending. */
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { readKeysetPage, type Page, type PageQuery } from '../db/keyset-pages.js';
import type { SmtpServerRow } from '../db/schema/index.js';
import { isUuid } from '../ids.js';
import { findUsagesOfServers } from './usages.js';
import { toServerSettings } from './server-settings.js';
import { toServerView } from './server-view.js';
import type { ServerUsage, SmtpServerSettings, SmtpServerView } from './types.js';

export type SmtpServerListItem = SmtpServerView & { usages: ServerUsage[] };

/** Every server by display name (whatever the letter case), each with what uses it (one query per user kind). */
export async function listSmtpServers(): Promise<SmtpServerListItem[]> {
	const rows = await db()
		.select()
		.from(tables.smtpServers)
		.orderBy(asc(sql`lower(${tables.smtpServers.name})`));
	const usages = await findUsagesOfServers(rows.map((row) => row.id));
	return rows.map((row) => ({ ...toServerView(row), usages: usages.get(row.id) ?? [] }));
}

const serverKey = sql<string>`lower(${tables.smtpServers.name})`;

/** A page of the servers by name, searched on the start of the name; what uses each, for this page only. */
export async function listSmtpServersPage(query: PageQuery): Promise<Page<SmtpServerListItem>> {
	const page = await readKeysetPage(
		{
			key: serverKey,
			searchOn: [serverKey],
			read: (where, orderBy, limit) =>
				db().select().from(tables.smtpServers).where(where).orderBy(orderBy).limit(limit),
			keyOf: (row) => row.name.toLowerCase()
		},
		query
	);
	const usages = await findUsagesOfServers(page.items.map((row) => row.id));
	return {
		...page,
		items: page.items.map((row) => ({ ...toServerView(row), usages: usages.get(row.id) ?? [] }))
	};
}

/** Whether any server exists (a form that needs one says so otherwise). */
export async function anySmtpServer(): Promise<boolean> {
	const [row] = await db().select({ id: tables.smtpServers.id }).from(tables.smtpServers).limit(1);
	return Boolean(row);
}

export async function getSmtpServer(id: string): Promise<SmtpServerView | null> {
	const row = await findServerRow(id);
	return row ? toServerView(row) : null;
}

/** A saved server's settings with its secrets opened, for sending. Server-side only: never give it to a page. */
export async function getServerSettings(id: string): Promise<SmtpServerSettings | null> {
	const row = await findServerRow(id);
	return row ? toServerSettings(row) : null;
}

/** The stored row, sealed secrets included (null for an unknown or malformed id). Mail module only. */
export async function findServerRow(id: string): Promise<SmtpServerRow | null> {
	if (!isUuid(id)) return null;
	const [row] = await db().select().from(tables.smtpServers).where(eq(tables.smtpServers.id, id));
	return row ?? null;
}

/** Whether another server (not `exceptId`) has this display name, whatever the letter case. */
export async function isServerNameTaken(name: string, exceptId?: string): Promise<boolean> {
	const sameName = eq(sql`lower(${tables.smtpServers.name})`, name.trim().toLowerCase());
	const [row] = await db()
		.select({ id: tables.smtpServers.id })
		.from(tables.smtpServers)
		.where(exceptId ? and(sameName, ne(tables.smtpServers.id, exceptId)) : sameName);
	return Boolean(row);
}
