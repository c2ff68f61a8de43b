/**
 * Recovery codes (SECURITY.md, ASVS 5.0 6.5.1-6.5.4): 10 per account, 80 random bits each, single use,
 * stored as argon2id hashes. Generating a new set deletes the old one in the same transaction.
 */
import { randomBytes } from 'node:crypto';
import { and, count, eq, isNull } from 'drizzle-orm';
import { db, tables, type Db } from '../db/index.js';
import { hashPassword, verifyPassword } from './password.js';

export const RECOVERY_CODE_COUNT = 10;
// Crockford base32: no I, L, O, U, so codes survive being read aloud or written by hand.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function newCode(): string {
	const bytes = randomBytes(16);
	let out = '';
	for (let i = 0; i < 16; i++) out += ALPHABET[bytes[i] & 31]; // 16 x 5 bits = 80 bits
	return out.match(/.{4}/g)!.join('-');
}

/** Uppercases and drops spaces and dashes; maps look-alike letters as Crockford base32 does. */
export function normaliseRecoveryCode(input: string): string {
	return input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Replaces the admin's codes with a fresh set and returns it (the only time the codes exist in clear). */
export async function regenerateRecoveryCodes(adminId: string, tx?: Tx): Promise<string[]> {
	const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
	const hashes = await Promise.all(codes.map((c) => hashPassword(normaliseRecoveryCode(c))));
	const run = async (t: Tx) => {
		await t.delete(tables.recoveryCodes).where(eq(tables.recoveryCodes.adminId, adminId));
		await t.insert(tables.recoveryCodes).values(hashes.map((codeHash) => ({ adminId, codeHash })));
	};
	if (tx) await run(tx);
	else await db().transaction(run);
	return codes;
}

/** A hash of a code nobody holds: what an absent code is verified against. */
let dummyHash: Promise<string> | undefined;
function absentCodeHash(): Promise<string> {
	dummyHash ??= hashPassword(newCode());
	return dummyHash;
}

/**
 * Spends one of the admin's unused codes if `input` matches it. Returns whether it did. `adminId` null (no
 * such account) is answered too: every call verifies exactly RECOVERY_CODE_COUNT hashes, the account's
 * unused codes and hashes of no code for the rest, and does not stop at a match, so the time does not tell
 * whether the account exists, how many codes it has left, or which one matched.
 */
export async function consumeRecoveryCode(adminId: string | null, input: string): Promise<boolean> {
	const code = normaliseRecoveryCode(input);
	const wellFormed = /^[0-9A-Z]{16}$/.test(code);
	const unused = adminId
		? await db()
				.select({ id: tables.recoveryCodes.id, codeHash: tables.recoveryCodes.codeHash })
				.from(tables.recoveryCodes)
				.where(and(eq(tables.recoveryCodes.adminId, adminId), isNull(tables.recoveryCodes.usedAt)))
		: [];
	let matched: string | null = null;
	for (let i = 0; i < Math.max(RECOVERY_CODE_COUNT, unused.length); i++) {
		const row = unused[i];
		const ok = await verifyPassword(row?.codeHash ?? (await absentCodeHash()), code);
		if (ok && row && wellFormed && !matched) matched = row.id;
	}
	if (!matched) return false;
	// The usedAt condition makes a concurrent second use of the same code lose the race.
	const spent = await db()
		.update(tables.recoveryCodes)
		.set({ usedAt: new Date() })
		.where(and(eq(tables.recoveryCodes.id, matched), isNull(tables.recoveryCodes.usedAt)))
		.returning({ id: tables.recoveryCodes.id });
	return spent.length === 1;
}

export async function countUnusedRecoveryCodes(adminId: string): Promise<number> {
	const [row] = await db()
		.select({ n: count() })
		.from(tables.recoveryCodes)
		.where(and(eq(tables.recoveryCodes.adminId, adminId), isNull(tables.recoveryCodes.usedAt)));
	return row?.n ?? 0;
}
