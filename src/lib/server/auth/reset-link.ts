/**
 * "Forgot password?" by e-mail: single-use links, valid 30 minutes, only the SHA-256 of the token
 * stored. Asking for a link gives the same answer whether or not the account exists or has an e-mail.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { db, tables } from '../db/index.js';

export const RESET_LINK_TTL_MS = 30 * 60 * 1000;

function hashToken(token: string) {
	return createHash('sha256').update(token).digest('hex');
}

export async function createResetToken(adminId: string, now = new Date()): Promise<string> {
	const token = randomBytes(32).toString('base64url');
	// Old links of this account stop working: only the newest one counts.
	await db()
		.delete(tables.passwordResetTokens)
		.where(eq(tables.passwordResetTokens.adminId, adminId));
	await db()
		.insert(tables.passwordResetTokens)
		.values({
			tokenHash: hashToken(token),
			adminId,
			createdAt: now,
			expiresAt: new Date(now.getTime() + RESET_LINK_TTL_MS)
		});
	return token;
}

/** The account a still-valid token belongs to, without spending it (to show the form). */
export async function peekResetToken(token: string, now = new Date()): Promise<string | null> {
	const [row] = await db()
		.select({ adminId: tables.passwordResetTokens.adminId })
		.from(tables.passwordResetTokens)
		.where(
			and(
				eq(tables.passwordResetTokens.tokenHash, hashToken(token)),
				isNull(tables.passwordResetTokens.usedAt),
				gt(tables.passwordResetTokens.expiresAt, now)
			)
		);
	return row?.adminId ?? null;
}

/** Spends the token; returns its account, or null when unknown, used or expired. */
export async function consumeResetToken(token: string, now = new Date()): Promise<string | null> {
	const [row] = await db()
		.update(tables.passwordResetTokens)
		.set({ usedAt: now })
		.where(
			and(
				eq(tables.passwordResetTokens.tokenHash, hashToken(token)),
				isNull(tables.passwordResetTokens.usedAt),
				gt(tables.passwordResetTokens.expiresAt, now)
			)
		)
		.returning({ adminId: tables.passwordResetTokens.adminId });
	return row?.adminId ?? null;
}

export async function deleteExpiredResetTokens(now = new Date()) {
	await db()
		.delete(tables.passwordResetTokens)
		.where(lt(tables.passwordResetTokens.expiresAt, now));
}
