import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHttpError } from '@sveltejs/kit';
import { freshTestDatabase } from '#lib/server/testing/db.js';
import type { Database } from '#lib/server/db/index.js';
import { POST } from './+server.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

async function ask(body: string, ip = '192.0.2.1') {
	try {
		const response = await POST({
			request: new Request('http://postern.test/password-check', { method: 'POST', body }),
			getClientAddress: () => ip
		} as unknown as Parameters<typeof POST>[0]);
		return {
			status: response.status,
			json: await response.json(),
			retryAfter: response.headers.get('retry-after')
		};
	} catch (error) {
		if (isHttpError(error)) return { status: error.status, json: null };
		throw error;
	}
}

describe('POST /password-check', () => {
	it('says whether a password is easy to guess, with the username as a hint', async () => {
		expect(
			await ask(JSON.stringify({ password: 'password1234', username: 'alice' }))
		).toMatchObject({
			status: 200,
			json: { guessable: expect.stringMatching(/^Too easy to guess/) }
		});
		expect(
			await ask(JSON.stringify({ password: 'violet kettle drums at dawn', username: 'alice' }))
		).toMatchObject({ status: 200, json: { guessable: null } });
		// the username itself, dressed up, is guessable for that user
		expect(
			(await ask(JSON.stringify({ password: 'margaretha-1984', username: 'margaretha-1984' }))).json
				.guessable
		).toMatch(/^Too easy to guess/);
	});

	it('bounds its work: outside the length rule nothing is looked up, a large or malformed body is refused', async () => {
		expect(await ask(JSON.stringify({ password: 'short' }))).toMatchObject({
			status: 200,
			json: { guessable: null }
		});
		expect((await ask(JSON.stringify({ password: 'x'.repeat(129) }))).json).toEqual({
			guessable: null
		});
		expect((await ask(JSON.stringify({ password: 'a'.repeat(3000) }))).status).toBe(413);
		expect((await ask('not json')).status).toBe(400);
		expect((await ask(JSON.stringify({ password: 12 }))).status).toBe(400);
		expect((await ask(JSON.stringify({ password: 'password1234', username: 7 }))).status).toBe(400);
	});

	it('holds each client address to 60 lookups a minute, even asked all at once', async () => {
		const body = JSON.stringify({ password: 'violet kettle drums at dawn' });
		const replies = await Promise.all(Array.from({ length: 70 }, () => ask(body)));
		expect(replies.filter((r) => r.status === 200)).toHaveLength(60);
		const refused = replies.filter((r) => r.status === 429);
		expect(refused).toHaveLength(10);
		expect(Number(refused[0].retryAfter)).toBeGreaterThan(0);
		// another address has its own count; a password the length rule refuses costs no lookup
		expect((await ask(body, '192.0.2.2')).status).toBe(200);
		expect((await ask(JSON.stringify({ password: 'short' }))).status).toBe(200);
	});
});
