/**
 * End-user sessions, apart from the console's. A pending sign-in (password right, second factor to come)
 * lives 15 minutes; a complete session 30 minutes idle and 12 hours at most. Tokens carry 256 random bits and
 * only their SHA-256 is stored; passing the second factor replaces the token (ASVS 3.2.1), so a token seen
 * before that never opens the portal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Cookies } from '@sveltejs/kit';
import { db, tables } from '../db/index.js';
import type { UserSessionRow } from '../db/schema/index.js';
import type { DirectoryUser } from '../directory/types.js';
import { recordAudit } from '../audit.js';
import { purgeOldCodes } from '../otp/email-otp.js';

export const PENDING_LOGIN_MS = 15 * 60 * 1000;
export const USER_IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const USER_ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60 * 1000;

export function newSessionToken(): string {
	return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

/** The row of a token at a stage, or null (unknown, other stage, expired). */
export async function findSessionRow(
	token: string | null | undefined,
	stage: UserSessionRow['stage'],
	now = new Date()
): Promise<UserSessionRow | null> {
	if (!token || token.length > 128) return null;
	const [row] = await db()
		.select()
		.from(tables.userSessions)
		.where(eq(tables.userSessions.tokenHash, hashSessionToken(token)));
	if (!row || row.stage !== stage) return null;
	if (row.expiresAt <= now) {
		await db().delete(tables.userSessions).where(eq(tables.userSessions.id, row.id));
		return null;
	}
	return row;
}

/**
 * Opens a sign-in for a user whose password was right: pending (`password-ok`, PENDING_LOGIN_MS, `factor`
 * says which second factor comes next), or at once `complete` when the domain has none. Returns its token.
 */
export async function openLogin(
	input: {
		domainId: string;
		user: DirectoryUser;
		factor: UserSessionRow['factor'];
		stage?: UserSessionRow['stage'];
		ip?: string;
		userAgent?: string;
	},
	now = new Date()
): Promise<string> {
	const token = newSessionToken();
	const stage = input.stage ?? 'password-ok';
	const complete = stage === 'complete';
	const { user } = input;
	await db()
		.insert(tables.userSessions)
		.values({
			tokenHash: hashSessionToken(token),
			stage,
			factor: input.factor,
			domainId: input.domainId,
			userId: user.localUserId,
			personKey: user.personKey,
			username: user.username,
			displayName: user.displayName,
			email: user.email,
			createdAt: now,
			lastSeenAt: now,
			completedAt: complete ? now : null,
			expiresAt: new Date(now.getTime() + (complete ? USER_ABSOLUTE_TIMEOUT_MS : PENDING_LOGIN_MS)),
			ip: input.ip,
			userAgent: input.userAgent?.slice(0, 300)
		});
	return token;
}

/** A pending sign-in by its id (an admin's resend of its code), or null when it ended or expired. */
export async function findPendingLoginById(
	loginId: string,
	now = new Date()
): Promise<UserSessionRow | null> {
	const [login] = await db()
		.select()
		.from(tables.userSessions)
		.where(
			and(
				eq(tables.userSessions.id, loginId),
				eq(tables.userSessions.stage, 'password-ok'),
				gt(tables.userSessions.expiresAt, now)
			)
		);
	return login ?? null;
}

/** Turns a pending sign-in into a portal session with a new token; null if it was completed meanwhile. */
export async function completeLogin(
	login: UserSessionRow,
	meta: { ip?: string; userAgent?: string },
	now = new Date()
): Promise<string | null> {
	const token = newSessionToken();
	const [row] = await db()
		.update(tables.userSessions)
		.set({
			tokenHash: hashSessionToken(token),
			stage: 'complete',
			completedAt: now,
			lastSeenAt: now,
			expiresAt: new Date(now.getTime() + USER_ABSOLUTE_TIMEOUT_MS),
			ip: meta.ip ?? login.ip,
			userAgent: meta.userAgent?.slice(0, 300) ?? login.userAgent
		})
		.where(and(eq(tables.userSessions.id, login.id), eq(tables.userSessions.stage, 'password-ok')))
		.returning({ id: tables.userSessions.id });
	return row ? token : null;
}

/** The signed-in user of a portal session token, or null (unknown, expired, user disabled). */
export async function validateUserSession(
	token: string | null | undefined,
	now = new Date()
): Promise<UserSession | null> {
	if (!token || token.length > 128) return null;
	const tokenHash = hashSessionToken(token);
	const [found] = await db()
		.select({
			session: tables.userSessions,
			domainName: tables.domains.name,
			disabledAt: tables.users.disabledAt
		})
		.from(tables.userSessions)
		.innerJoin(tables.domains, eq(tables.domains.id, tables.userSessions.domainId))
		.leftJoin(tables.users, eq(tables.users.id, tables.userSessions.userId))
		.where(eq(tables.userSessions.tokenHash, tokenHash));
	if (!found || found.session.stage !== 'complete') return null;
	const { session } = found;
	const expired =
		session.expiresAt <= now || now.getTime() - session.lastSeenAt.getTime() > USER_IDLE_TIMEOUT_MS;
	if (expired || found.disabledAt) {
		await db().delete(tables.userSessions).where(eq(tables.userSessions.id, session.id));
		return null;
	}
	if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS)
		await db()
			.update(tables.userSessions)
			.set({ lastSeenAt: now })
			.where(eq(tables.userSessions.id, session.id));
	return {
		id: session.id,
		domainId: session.domainId,
		domainName: found.domainName,
		userId: session.userId,
		personKey: session.personKey,
		username: session.username,
		displayName: session.displayName,
		email: session.email,
		signedInAt: session.completedAt ?? session.createdAt,
		expiresAt: session.expiresAt
	};
}

/** Signs out: the token (pending or complete) stops working at once. */
export async function signOutUser(
	token: string | null | undefined,
	meta: { ip?: string } = {}
): Promise<void> {
	if (!token || token.length > 128) return;
	const [row] = await db()
		.delete(tables.userSessions)
		.where(eq(tables.userSessions.tokenHash, hashSessionToken(token)))
		.returning();
	if (row?.stage === 'complete')
		await recordAudit({
			actor: row.username,
			action: 'login.sign_out',
			ip: meta.ip,
			detail: { domainId: row.domainId }
		});
}

/** Removes expired sessions and codes older than a day (call now and then, e.g. hourly). */
export async function purgeExpiredUserState(now = new Date()): Promise<void> {
	await db().delete(tables.userSessions).where(lt(tables.userSessions.expiresAt, now));
	await purgeOldCodes(now);
}

// ---- cookies ------------------------------------------------------------------------------------------------

/** The portal session cookie (distinct from the console's). */
export function userSessionCookieName(secure: boolean) {
	return secure ? '__Host-postern_user' : 'postern_user';
}

/** The pending sign-in cookie (between password and second factor). */
export function pendingLoginCookieName(secure: boolean) {
	return secure ? '__Host-postern_login' : 'postern_login';
}

export function setUserSessionCookie(cookies: Cookies, token: string, secure: boolean) {
	cookies.set(userSessionCookieName(secure), token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		maxAge: USER_ABSOLUTE_TIMEOUT_MS / 1000
	});
}

export function setPendingLoginCookie(cookies: Cookies, token: string, secure: boolean) {
	cookies.set(pendingLoginCookieName(secure), token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		maxAge: PENDING_LOGIN_MS / 1000
	});
}

export function deleteUserCookies(cookies: Cookies, secure: boolean) {
	for (const name of [userSessionCookieName(secure), pendingLoginCookieName(secure)])
		cookies.delete(name, { path: '/', secure, httpOnly: true, sameSite: 'lax' });
}

export interface UserSession {
	id: string;
	domainId: string;
	domainName: string;
	/** Local users only. */
	userId: string | null;
	personKey: string;
	username: string;
	displayName: string;
	email: string | null;
	signedInAt: Date;
	expiresAt: Date;
}
