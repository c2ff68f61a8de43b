/**
 * The console's paged lists (SMTP servers, OTP generators, domains, applications) through their modules'
 * readers: every page forwards and back, the search on the start of a name in any case (with `%` and `_` as
 * letters), and a fixed number of statements per page whatever the list's size.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from './index.js';
import type { Page, PageQuery } from './keyset-pages.js';
import { listApplicationsPage } from '../identity/applications.js';
import { listDomainsPage } from '../identity/domain-reads.js';
import { listOtpGeneratorsPage } from '../identity/otp-generators.js';
import { listSmtpServersPage } from '../mail/server-reads.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

/** 25 names, one upper-cased, and one with the LIKE wildcards in it. */
const NAMES = [
	...Array.from({ length: 24 }, (_, i) =>
		i === 5 ? `ITEM ${String(i).padStart(2, '0')}` : `Item ${String(i).padStart(2, '0')}`
	),
	'100%_sure'
];

interface List {
	name: string;
	seed: (names: string[]) => Promise<void>;
	read: (query: PageQuery) => Promise<Page<{ name: string }>>;
	/** Statements a page costs: the page's own query and what it joins in for that page. */
	statements: number;
}

const lists: List[] = [
	{
		name: 'applications',
		seed: async (names) => {
			await db()
				.insert(tables.applications)
				.values(names.map((name) => ({ name, url: 'https://app.example.com' })));
		},
		read: listApplicationsPage,
		statements: 1
	},
	{
		name: 'SMTP servers',
		seed: async (names) => {
			await db()
				.insert(tables.smtpServers)
				.values(
					names.map((name) => ({
						name,
						host: 'mail.example.com',
						port: 587,
						security: 'starttls' as const,
						fromAddress: 'noreply@example.com'
					}))
				);
		},
		read: listSmtpServersPage,
		// the page, then what uses its servers: one query per kind of user, whatever the page's size
		statements: -1
	},
	{
		name: 'OTP generators',
		seed: async (names) => {
			await db()
				.insert(tables.otpGenerators)
				.values(names.map((name) => ({ type: 'totp' as const, name })));
		},
		read: listOtpGeneratorsPage,
		// the page, the domains using its generators, the servers' names
		statements: 3
	},
	{
		name: 'domains',
		seed: async (names) => {
			await db()
				.insert(tables.domains)
				.values(
					names.map((name, i) => ({
						kind: 'local' as const,
						name,
						emailAttribute: 'email',
						isTest: i === 20
					}))
				);
		},
		read: listDomainsPage,
		// the page, the generators' names, the page's user counts
		statements: 3
	}
];

function countStatements() {
	const client = (database.pglite ?? database.pool) as unknown as Record<string, () => unknown>;
	const spies = ['query', 'exec']
		.filter((m) => m in client)
		.map((m) => vi.spyOn(client, m as never));
	return () => {
		const n = spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
		for (const spy of spies) spy.mockRestore();
		return n;
	};
}

describe.each(lists)('the $name list', (list) => {
	it('walks every page forwards and back, by name in any case', async () => {
		await list.seed(NAMES);
		const forwards: string[][] = [];
		let page = await list.read({ pageSize: 10 });
		expect(page.previous).toBeNull();
		for (;;) {
			forwards.push(page.items.map((item) => item.name));
			if (!page.next) break;
			page = await list.read({ pageSize: 10, after: page.next });
		}
		expect(forwards.map((p) => p.length)).toEqual([10, 10, 5]);
		const seen = forwards.flat();
		expect(new Set(seen).size).toBe(NAMES.length);
		if (list.name === 'domains') {
			// test domains first, then by name
			expect(seen[0]).toBe('Item 20');
			expect(seen.slice(1).map((n) => n.toLowerCase())).toEqual(
				seen
					.slice(1)
					.map((n) => n.toLowerCase())
					.sort()
			);
		} else
			expect(seen.map((n) => n.toLowerCase())).toEqual(seen.map((n) => n.toLowerCase()).sort());

		// and back from the last page, through its "previous" cursors, to the first
		const backwards: string[][] = [page.items.map((item) => item.name)];
		while (page.previous) {
			page = await list.read({ pageSize: 10, before: page.previous });
			backwards.unshift(page.items.map((item) => item.name));
		}
		expect(backwards).toEqual(forwards);
	});

	it('searches the start of the name in any case; % and _ are letters', async () => {
		await list.seed(NAMES);
		const names = async (search: string) =>
			(await list.read({ search })).items.map((item) => item.name);
		expect(await names('item 1')).toHaveLength(10);
		expect(await names('ITEM 05')).toEqual(['ITEM 05']);
		expect(await names('tem')).toEqual([]);
		expect(await names('100%_')).toEqual(['100%_sure']);
		expect(await names('1%')).toEqual([]);
		expect(await names('_')).toEqual([]);
	});

	it('costs the same statements for a page of 50 as for a page of 5', async () => {
		await list.seed(NAMES);
		await list.read({ pageSize: 1 });
		const small = countStatements();
		await list.read({ pageSize: 5 });
		const forSmall = small();
		const large = countStatements();
		await list.read({ pageSize: 50 });
		const forLarge = large();
		expect(forLarge).toBe(forSmall);
		if (list.statements > 0) expect(forLarge).toBe(list.statements);
	});
});
