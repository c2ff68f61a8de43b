import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { freshTestDatabase } from './testing/db.js';
import { db, tables, type Database } from './db/index.js';
import { hashPassword } from './auth/password.js';
import { createLogger } from './log.js';

/** The app's logger, writing its JSON lines into an array instead of stdout. */
function capturedLogger() {
	const lines: string[] = [];
	const sink = new Writable({
		write(chunk, _encoding, done) {
			lines.push(...chunk.toString().split('\n').filter(Boolean));
			done();
		}
	});
	return { logger: createLogger(sink, 'json'), lines };
}

async function failedInsert(username: string, passwordHash: string): Promise<unknown> {
	const row = { username, role: 'admin' as const, passwordHash };
	await db().insert(tables.admins).values(row);
	try {
		await db().insert(tables.admins).values(row);
	} catch (error) {
		return error;
	}
	throw new Error('the second insert should have violated the unique username');
}

describe('error lines in the log', () => {
	let database: Database;
	beforeEach(async () => {
		database = await freshTestDatabase();
	});
	afterEach(async () => {
		await database.close();
	});

	it('carry the code, table and constraint of a failed query, never its parameter values', async () => {
		const username = 'marker-username-7f3a';
		const hash = await hashPassword('violet kettle drums at dawn');
		const error = await failedInsert(username, hash);
		// the error itself does carry them: that is what must not reach the log
		expect(String((error as Error).message)).toContain(hash);

		const { logger, lines } = capturedLogger();
		logger.error({ event: 'unhandled_error', err: error }, 'unhandled error');
		logger.error({ event: 'other', error }, 'logged under another key');

		expect(lines).toHaveLength(2);
		for (const line of lines) {
			expect(line).not.toContain(hash);
			expect(line).not.toContain('$argon2id$');
			expect(line).not.toContain(username);
			expect(line).not.toContain('params');
		}
		const [logged] = lines.map((l) => JSON.parse(l));
		expect(logged.err).toMatchObject({
			type: 'DrizzleQueryError',
			sqlState: '23505',
			table: 'admins',
			constraint: 'admins_username_lower'
		});
		expect(logged.err.message).toMatch(/^Failed query \(SQLSTATE 23505\): insert into "admins"/);
		expect(logged.err.stack).toMatch(/\n\s+at /);
		expect(JSON.parse(lines[1]).error).toMatchObject({ sqlState: '23505', table: 'admins' });
	});

	it('keep an ordinary error as it was (type, message, stack)', () => {
		const { logger, lines } = capturedLogger();
		logger.error({ err: new TypeError('something odd') }, 'failed');
		const logged = JSON.parse(lines[0]);
		expect(logged.err).toMatchObject({ type: 'TypeError', message: 'something odd' });
		expect(logged.err.stack).toContain('TypeError: something odd');
	});
});
