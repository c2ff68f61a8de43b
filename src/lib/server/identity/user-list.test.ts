import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { beginTotpEnrollment, DEFAULT_TOTP_OPTIONS } from '../otp/totp.js';
import { listLocalUsersPage } from './user-list.js';

let database: Database;
let domainId: string;
let otherDomainId: string;

const names = Array.from({ length: 120 }, (_, i) => `user${String(i).padStart(3, '0')}`);

beforeEach(async () => {
	database = await freshTestDatabase();
	const [domain, other] = await db()
		.insert(tables.domains)
		.values([
			{ kind: 'local', name: 'Local', emailAttribute: 'email' },
			{ kind: 'local', name: 'Other', emailAttribute: 'email' }
		])
		.returning();
	domainId = domain.id;
	otherDomainId = other.id;
	// the list reads no hash: one placeholder keeps seeding fast
	await db()
		.insert(tables.users)
		.values([
			...names.map((username, i) => ({
				domainId,
				username: i === 7 ? username.toUpperCase() : username,
				displayName: `Person ${i}`,
				email: `${username}@example.com`,
				passwordHash: 'not-a-hash',
				disabledAt: i === 3 ? new Date() : null
			})),
			{ domainId, username: 'ann_100%', displayName: 'Zed', email: null, passwordHash: 'x' },
			{ domainId: otherDomainId, username: 'user000', email: 'o@example.com', passwordHash: 'x' }
		]);
});
afterEach(async () => {
	await database.close();
});

describe('the users list', () => {
	it('walks every page forwards and back, by username in any case, and stays in its domain', async () => {
		const seen: string[] = [];
		let page = await listLocalUsersPage(domainId, { pageSize: 50 });
		expect(page.previous).toBeNull();
		const cursors: string[] = [];
		for (;;) {
			seen.push(...page.users.map((u) => u.username));
			if (!page.next) break;
			cursors.push(page.next);
			page = await listLocalUsersPage(domainId, { pageSize: 50, after: page.next });
		}
		expect(seen).toHaveLength(121);
		expect(seen[0]).toBe('ann_100%');
		expect(seen[8]).toBe('USER007');
		expect(seen.map((s) => s.toLowerCase())).toEqual([...seen.map((s) => s.toLowerCase())].sort());
		expect(cursors).toHaveLength(2);

		// the last page's Previous gives the middle page back, whose Previous gives the first
		const middle = await listLocalUsersPage(domainId, { pageSize: 50, before: page.previous });
		expect(middle.users.map((u) => u.username)).toEqual(seen.slice(50, 100));
		expect(middle.next).toBe(cursors[1]);
		const first = await listLocalUsersPage(domainId, { pageSize: 50, before: middle.previous });
		expect(first.users.map((u) => u.username)).toEqual(seen.slice(0, 50));
		expect(first.previous).toBeNull();
	});

	it('searches the start of the username, e-mail or display name; % and _ are letters', async () => {
		const usernames = async (search: string) =>
			(await listLocalUsersPage(domainId, { search, pageSize: 200 })).users.map((u) => u.username);
		expect(await usernames('USER11')).toEqual(names.slice(110, 120));
		expect(await usernames('user007@EXAMPLE')).toEqual(['USER007']);
		expect(await usernames('person 11')).toEqual(['user011', ...names.slice(110, 120)]);
		expect(await usernames('ann_100%')).toEqual(['ann_100%']);
		expect(await usernames('ann%')).toEqual([]);
		expect(await usernames('u_er')).toEqual([]);
		expect(await usernames('nobody')).toEqual([]);
	});

	it('shows each user’s state and TOTP enrollment, in one query per page', async () => {
		const all = (await listLocalUsersPage(domainId, { pageSize: 200 })).users;
		const target = all.find((u) => u.username === 'user010')!;
		await beginTotpEnrollment(
			{ domainId, personKey: `user:${target.id}`, username: 'user010' },
			DEFAULT_TOTP_OPTIONS
		);

		// every statement goes through the client's query (or, on PGlite, exec): count them
		const client = (database.pglite ?? database.pool) as unknown as Record<string, () => unknown>;
		const spies = ['query', 'exec']
			.filter((m) => m in client)
			.map((m) => vi.spyOn(client, m as never));
		const page = await listLocalUsersPage(domainId, { pageSize: 50 });
		expect(spies.reduce((n, spy) => n + spy.mock.calls.length, 0)).toBe(1);
		for (const spy of spies) spy.mockRestore();

		const byName = new Map(page.users.map((u) => [u.username, u]));
		expect(byName.get('user010')).toMatchObject({ totp: 'pending', disabled: false });
		expect(byName.get('user003')).toMatchObject({ totp: 'none', disabled: true });
		expect(byName.get('user004')).toMatchObject({ totp: 'none', disabled: false });
		expect(JSON.stringify(page)).not.toContain('not-a-hash');
	});

	it('answers an empty page for a domain that is not a UUID', async () => {
		expect(await listLocalUsersPage('nope')).toEqual({ users: [], next: null, previous: null });
	});
});
