/** Reading identity domains: the list (test domains first), the /login choices, one domain, its stored row. */
import { asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { readKeysetPage, type Page, type PageQuery } from '../db/keyset-pages.js';
import type { DomainRow } from '../db/schema/index.js';
import { isUuid } from './common.js';
import type { DomainView } from './domain-types.js';
import { toDomainView, type GeneratorSummaries } from './domain-view.js';

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
	return rows.map((row) => toDomainView(row, generators, userCounts.get(row.id) ?? 0));
}

/**
 * The order of the domains list, as one string: test domains first ("0"), then by lower-cased name. A unique
 * key (names are unique whatever the case), so it is the cursor; an index on the same expression serves it.
 */
export const domainListKey = sql<string>`((case when ${tables.domains.isTest} then '0' else '1' end) || lower(${tables.domains.name}))`;

/** A page of the domains (test first, then by name), searched on the start of the name; users counted for this page only. */
export async function listDomainsPage(query: PageQuery): Promise<Page<DomainView>> {
	const page = await readKeysetPage(
		{
			key: domainListKey,
			searchOn: [sql`lower(${tables.domains.name})`],
			read: (where, orderBy, limit) =>
				db().select().from(tables.domains).where(where).orderBy(orderBy).limit(limit),
			keyOf: (row) => `${row.isTest ? '0' : '1'}${row.name.toLowerCase()}`
		},
		query
	);
	const ids = page.items.map((row) => row.id);
	const [generators, counts] = await Promise.all([
		generatorSummaries(),
		ids.length
			? db()
					.select({ domainId: tables.users.domainId, n: count() })
					.from(tables.users)
					.where(inArray(tables.users.domainId, ids))
					.groupBy(tables.users.domainId)
			: []
	]);
	const userCounts = new Map(counts.map((c) => [c.domainId, c.n]));
	return {
		...page,
		items: page.items.map((row) => toDomainView(row, generators, userCounts.get(row.id) ?? 0))
	};
}

/**
 * The domains as a picker offers them (the users page): id, name, kind, test flag and the OTP generator's
 * type, test domains first; one query, and no user count (which reads every user).
 */
export async function listDomainChoices(): Promise<
	{ id: string; name: string; kind: DomainRow['kind']; isTest: boolean; otpType: string | null }[]
> {
	return db()
		.select({
			id: tables.domains.id,
			name: tables.domains.name,
			kind: tables.domains.kind,
			isTest: tables.domains.isTest,
			otpType: tables.otpGenerators.type
		})
		.from(tables.domains)
		.leftJoin(tables.otpGenerators, eq(tables.otpGenerators.id, tables.domains.otpGeneratorId))
		.orderBy(desc(tables.domains.isTest), asc(sql`lower(${tables.domains.name})`));
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
	return toDomainView(row, await generatorSummaries(), n);
}

/** The stored row (server side only: it holds the sealed bind password). */
export async function findDomainRow(id: string | null | undefined): Promise<DomainRow | null> {
	if (!isUuid(id)) return null;
	const [row] = await db().select().from(tables.domains).where(eq(tables.domains.id, id));
	return row ?? null;
}

/** Each OTP generator's id, name and type, by id: what a domain view names its generator with. */
export async function generatorSummaries(): Promise<GeneratorSummaries> {
	const rows = await db()
		.select({
			id: tables.otpGenerators.id,
			name: tables.otpGenerators.name,
			type: tables.otpGenerators.type
		})
		.from(tables.otpGenerators);
	return new Map(rows.map((r) => [r.id, r]));
}
