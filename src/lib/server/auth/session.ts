/**
 * Console sessions. The cookie carries 256 random bits; the database keeps only their SHA-256.
 * Timeouts (SECURITY.md): 30 minutes idle, 12 hours absolute.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, ne } from 'drizzle-orm';
import type { Cookies } from '@sveltejs/kit';
import { db, tables } from '../db/index.js';
import type { Admin } from '../db/schema/index.js';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
/** lastSeenAt is written at most this often, so every request is not a write. */
const TOUCH_EVERY_MS = 60 * 1000;

export function sessionCookieName(secure: boolean) {
	// The __Host- prefix makes the browser refuse the cookie unless Secure, Path=/ and no Domain.
	return secure ? '__Host-postern_admin' : 'postern_admin';
}

function hashToken(token: string) {
	return createHash('sha256').update(token).digest('hex');
}

export async function createSession(adminId: string, meta: { ip?: string; userAgent?: string }) {
	const token = randomBytes(32).toString('base64url');
	await db()
		.insert(tables.adminSessions)
		.values({
			tokenHash: hashToken(token),
			adminId,
			ip: meta.ip,
			userAgent: meta.userAgent?.slice(0, 300)
		});
	return token;
}

export type SessionAdmin = Pick<Admin, 'id' | 'username' | 'role' | 'email'>;

/** Returns the session's admin, or null when the token is unknown, expired or the account disabled. */
export async function validateSessionToken(
	token: string,
	now = new Date()
): Promise<SessionAdmin | null> {
	const tokenHash = hashToken(token);
	const [row] = await db()
		.select({
			createdAt: tables.adminSessions.createdAt,
			lastSeenAt: tables.adminSessions.lastSeenAt,
			id: tables.admins.id,
			username: tables.admins.username,
			role: tables.admins.role,
			email: tables.admins.email,
			disabledAt: tables.admins.disabledAt
		})
		.from(tables.adminSessions)
		.innerJoin(tables.admins, eq(tables.admins.id, tables.adminSessions.adminId))
		.where(eq(tables.adminSessions.tokenHash, tokenHash));
	if (!row) return null;
	const expired =
		now.getTime() - row.lastSeenAt.getTime() > IDLE_TIMEOUT_MS ||
		now.getTime() - row.createdAt.getTime() > ABSOLUTE_TIMEOUT_MS;
	if (expired || row.disabledAt) {
		await db().delete(tables.adminSessions).where(eq(tables.adminSessions.tokenHash, tokenHash));
		return null;
	}
	if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
		await db()
			.update(tables.adminSessions)
			.set({ lastSeenAt: now })
			.where(eq(tables.adminSessions.tokenHash, tokenHash));
	}
	return { id: row.id, username: row.username, role: row.role, email: row.email };
}

export async function invalidateSession(token: string) {
	await db()
		.delete(tables.adminSessions)
		.where(eq(tables.adminSessions.tokenHash, hashToken(token)));
}

/** Ends every session of an admin, except optionally the one still in use. */
export async function invalidateAdminSessions(adminId: string, keepToken?: string) {
	const keep = keepToken ? hashToken(keepToken) : undefined;
	await db()
		.delete(tables.adminSessions)
		.where(
			keep
				? and(eq(tables.adminSessions.adminId, adminId), ne(tables.adminSessions.tokenHash, keep))
				: eq(tables.adminSessions.adminId, adminId)
		);
}

export function setSessionCookie(cookies: Cookies, token: string, secure: boolean) {
	cookies.set(sessionCookieName(secure), token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		maxAge: ABSOLUTE_TIMEOUT_MS / 1000
	});
}

export function deleteSessionCookie(cookies: Cookies, secure: boolean) {
	cookies.delete(sessionCookieName(secure), { path: '/', secure, httpOnly: true, sameSite: 'lax' });
}
