/** Reading identity domains: the list (test domains first), the /login choices, one domain, its stored row. */
import { asc, count, desc, eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
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
