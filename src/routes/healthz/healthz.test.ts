import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshTestDatabase } from '#lib/server/testing/db.js';
import { useDatabase } from '#lib/server/db/index.js';
import { GET } from './+server.js';

afterEach(() => {
	vi.useRealTimers();
});

describe('GET /healthz', () => {
	it('answers 200 ok while the database answers, 503 once it does not (asked again after a second)', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const database = await freshTestDatabase();
		const up = await GET();
		expect(up.status).toBe(200);
		expect(up.headers.get('cache-control')).toBe('no-store');
		expect(await up.json()).toEqual({ status: 'ok', database: 'ok' });

		await database.close();
		// within the second, the last answer stands
		expect((await GET()).status).toBe(200);
		vi.setSystemTime(Date.now() + 1_001);
		const down = await GET();
		expect(down.status).toBe(503);
		expect(await down.json()).toEqual({ status: 'degraded', database: 'unavailable' });

		useDatabase(undefined);
		expect((await GET()).status).toBe(503);
	});

	it('asks the database once for a burst of probes', async () => {
		const database = await freshTestDatabase();
		const client = (database.pglite ?? database.pool) as unknown as Record<string, () => unknown>;
		const spies = ['query', 'exec']
			.filter((m) => m in client)
			.map((m) => vi.spyOn(client, m as never));
		const answers = await Promise.all(Array.from({ length: 50 }, () => GET()));
		expect(answers.every((a) => a.status === 200)).toBe(true);
		expect(spies.reduce((n, spy) => n + spy.mock.calls.length, 0)).toBe(1);
		await database.close();
	});
});
