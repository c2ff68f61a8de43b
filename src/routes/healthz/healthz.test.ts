import { describe, expect, it } from 'vitest';
import { freshTestDatabase } from '#lib/server/testing/db.js';
import { useDatabase } from '#lib/server/db/index.js';
import { GET } from './+server.js';

describe('GET /healthz', () => {
	it('answers 200 ok while the database answers, 503 once it does not', async () => {
		const database = await freshTestDatabase();
		const up = await GET();
		expect(up.status).toBe(200);
		expect(up.headers.get('cache-control')).toBe('no-store');
		expect(await up.json()).toEqual({ status: 'ok', database: 'ok' });

		await database.close();
		const down = await GET();
		expect(down.status).toBe(503);
		expect(await down.json()).toEqual({ status: 'degraded', database: 'unavailable' });

		useDatabase(undefined);
		expect((await GET()).status).toBe(503);
	});
});
