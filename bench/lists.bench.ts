/**
 * The users list at size: /admin/users's server-side load (its own code: the identity providers, one page of
 * users with their TOTP state, the Reset TOTP form) on a local domain of 10,000 and then 100,000 users, seeded
 * in batches straight into the users table (a list reads no password hash, so one placeholder serves). Three
 * pages each time: the first, one near the end (after a cursor, as its Next link asks) and a search. The
 * figure is the p99 server time against a fixed budget of 100 ms (an absolute target: there is no like-for-like
 * baseline for "fast enough"), so the ratio is ours ÷ 100 ms and must stay ≤ 1. Fails when a figure misses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshTestDatabase } from '../src/lib/server/testing/db.js';
import { db, tables, type Database } from '../src/lib/server/db/index.js';
import { load } from '../src/routes/admin/users/+page.server.js';
import { mergeResults, percentile, type BenchResult } from './results.js';

const SIZES = [10_000, 100_000];
const RUNS = 60;
const BUDGET_MS = 100;
const BATCH = 5_000;

let database: Database;
let domainId = '';

beforeAll(async () => {
	database = await freshTestDatabase();
	const [domain] = await db()
		.insert(tables.domains)
		.values({ kind: 'local', name: 'scale.example', emailAttribute: 'email' })
		.returning();
	domainId = domain.id;
});
afterAll(async () => {
	await database.close();
});

const username = (i: number) => `user${String(i).padStart(6, '0')}`;

async function seedUpTo(count: number) {
	const [{ n }] = await db()
		.select({ n: sql<number>`count(*)` })
		.from(tables.users);
	for (let start = Number(n); start < count; start += BATCH)
		await db()
			.insert(tables.users)
			.values(
				Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => {
					const i = start + k;
					return {
						domainId,
						username: username(i),
						displayName: `Person ${i}`,
						email: `${username(i)}@scale.example`,
						passwordHash: 'not-a-hash'
					};
				})
			);
}

type LoadEvent = Parameters<typeof load>[0];

async function timeLoad(query: string): Promise<{ ms: number; rows: number }> {
	const url = new URL(`http://postern.test/admin/users?domain=${domainId}&${query}`);
	const started = performance.now();
	const data = (await load({ url } as unknown as LoadEvent)) as { users: unknown[] };
	return { ms: performance.now() - started, rows: data.users.length };
}

describe('/admin/users at size', () => {
	it(
		'answers each page within its budget at 10,000 and 100,000 users',
		async () => {
			const results: BenchResult[] = [];
			for (const size of SIZES) {
				await seedUpTo(size);
				await db().execute(sql`analyze users`);
				const pages = {
					'first page': '',
					'a page near the end': `after=${username(size - 30)}`,
					'a search': `q=${username(Math.floor(size / 2)).slice(0, -1)}`
				};
				for (const [label, query] of Object.entries(pages)) {
					for (let i = 0; i < 5; i++) await timeLoad(query);
					const times: number[] = [];
					let rows = 0;
					for (let i = 0; i < RUNS; i++) {
						const run = await timeLoad(query);
						times.push(run.ms);
						rows = run.rows;
					}
					expect(rows).toBeGreaterThan(0);
					const p99 = percentile(times, 99);
					const result: BenchResult = {
						name: `/admin/users server load, ${label}, ${size.toLocaleString('en')} users, p99 vs a ${BUDGET_MS} ms budget`,
						ours: Number(p99.toFixed(2)),
						baseline: BUDGET_MS,
						unit: 'ms',
						ratio: Number((p99 / BUDGET_MS).toFixed(3)),
						target: 1,
						better: 'lower'
					};
					console.log(
						`${result.ratio <= 1 ? 'ok  ' : 'SLOW'} ${result.name}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (${rows} rows)`
					);
					results.push(result);
				}
			}
			mergeResults(results);
			for (const result of results) expect(result.ratio, result.name).toBeLessThanOrEqual(1);
		},
		15 * 60_000
	);
});
