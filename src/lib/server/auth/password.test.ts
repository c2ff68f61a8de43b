import { describe, expect, it } from 'vitest';
import { hashPassword, spendPasswordVerification, verifyPassword } from './password.js';

describe('password hashing', () => {
	it('uses argon2id with m=19456 KiB, t=2, p=1 and a fresh salt each time', async () => {
		const first = await hashPassword('correct horse battery staple');
		const second = await hashPassword('correct horse battery staple');
		expect(first.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
		expect(second).not.toBe(first);
		expect(first).not.toContain('correct horse');
	});

	it('verifies the right password only, without trimming or case folding', async () => {
		const stored = await hashPassword('  Leading and trailing  ');
		expect(await verifyPassword(stored, '  Leading and trailing  ')).toBe(true);
		expect(await verifyPassword(stored, 'Leading and trailing')).toBe(false);
		expect(await verifyPassword(stored, '  leading and trailing  ')).toBe(false);
		expect(await verifyPassword(stored, '')).toBe(false);
	});

	it('answers false, never throws, for a damaged stored hash', async () => {
		expect(await verifyPassword('', 'anything')).toBe(false);
		expect(await verifyPassword('$argon2id$v=19$broken', 'anything')).toBe(false);
		expect(await verifyPassword('plain text', 'plain text')).toBe(false);
	});

	it('spends a verification for unknown users without failing', async () => {
		await expect(spendPasswordVerification('whatever')).resolves.toBeUndefined();
	});
});
