import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from './testing/db.js';
import type { Database } from './db/index.js';
import { takeRateLimit } from './rate-limit.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

describe('takeRateLimit', () => {
	it('allows `limit` uses per window, then says how long to wait', async () => {
		const t0 = 1_000_000_000_000;
		for (let i = 0; i < 3; i++)
			expect((await takeRateLimit('k1', 3, 60_000, t0 + i)).ok).toBe(true);
		expect(await takeRateLimit('k1', 3, 60_000, t0 + 10)).toEqual({
			ok: false,
			retryAfterSeconds: 60
		});
		expect((await takeRateLimit('k1', 3, 60_000, t0 + 60_001)).ok).toBe(true);
	});

	it('keeps keys apart', async () => {
		const t0 = 1_000_000_000_000;
		expect((await takeRateLimit('a', 1, 1000, t0)).ok).toBe(true);
		expect((await takeRateLimit('b', 1, 1000, t0)).ok).toBe(true);
		expect((await takeRateLimit('a', 1, 1000, t0 + 1)).ok).toBe(false);
	});

	it('lets exactly `limit` of many parallel uses through', async () => {
		const results = await Promise.all(
			Array.from({ length: 30 }, () => takeRateLimit('parallel', 20, 5 * 60_000))
		);
		expect(results.filter((r) => r.ok)).toHaveLength(20);
	});
});
