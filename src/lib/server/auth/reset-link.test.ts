import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { completeSetup } from './admins.js';
import {
	consumeResetToken,
	createResetToken,
	peekResetToken,
	RESET_LINK_TTL_MS
} from './reset-link.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

async function adminId() {
	const r = await completeSetup({
		adminUsername: 'alice',
		adminPassword: 'correct horse battery staple',
		supportUsername: 'bob',
		supportPassword: 'another long passphrase here'
	});
	return r!.admin.id;
}

describe('password reset links', () => {
	it('work once and store only a hash', async () => {
		const id = await adminId();
		const token = await createResetToken(id);
		const rows = await db().select().from(tables.passwordResetTokens);
		expect(rows).toHaveLength(1);
		expect(rows[0].tokenHash).not.toContain(token);
		expect(await peekResetToken(token)).toBe(id);
		expect(await consumeResetToken(token)).toBe(id);
		expect(await consumeResetToken(token)).toBeNull();
	});
	it('expire after 30 minutes', async () => {
		const id = await adminId();
		const issued = new Date('2026-01-01T10:00:00Z');
		const token = await createResetToken(id, issued);
		expect(await peekResetToken(token, new Date(issued.getTime() + RESET_LINK_TTL_MS - 1000))).toBe(
			id
		);
		expect(
			await consumeResetToken(token, new Date(issued.getTime() + RESET_LINK_TTL_MS + 1000))
		).toBeNull();
	});
	it('a newer link replaces the older one', async () => {
		const id = await adminId();
		const first = await createResetToken(id);
		const second = await createResetToken(id);
		expect(await consumeResetToken(first)).toBeNull();
		expect(await consumeResetToken(second)).toBe(id);
	});
});
