/**
 * One-time codes by e-mail (SECURITY.md): 6-8 random digits from the CSPRNG, valid 5 minutes by default and
 * 10 at most, stored only as a salted SHA-256 bound to one login, single use, burned after 5 tries (the 6th
 * is refused even when right). Sending is limited to one code per 30 s per login and 5 codes per 15 minutes
 * per account (mail bombing, Zitadel #12622), and 25 per 15 minutes per requesting IP address.
 *
 * Why SHA-256 and not argon2: a code lives minutes and allows 5 tries; the salt (the challenge id) makes a
 * table of precomputed hashes useless, and argon2's ~20 ms would be paid on every sign-in. Someone reading
 * the database during those minutes could still search 10^6..10^8 codes offline; a keyed hash (HMAC with a
 * key derived from the secrets key, which secrets.ts does not expose yet) would close that too.
 */
import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, asc, count, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { OtpChallengeRow } from '../db/schema/index.js';
import { maskEmail, type MailSender } from './mail.js';
import { signInCodeMail } from '../mail/templates/sign-in-code.js';

export const MAX_TRIES = 5;
export const RESEND_COOLDOWN_MS = 30_000;
export const SEND_WINDOW_MS = 15 * 60_000;
export const MAX_CODES_PER_WINDOW = 5;
/** Per requesting IP address, over all accounts (one network must not mail-bomb many mailboxes). */
export const MAX_CODES_PER_IP_WINDOW = 25;
export const DEFAULT_VALIDITY_SECONDS = 300;
export const MAX_VALIDITY_SECONDS = 600;

/** A code of `length` digits, each from the CSPRNG (leading zeros kept). */
export function generateNumericCode(length: number): string {
	if (!Number.isInteger(length) || length < 6 || length > 8)
		throw new RangeError('codes have 6 to 8 digits');
	let code = '';
	for (let i = 0; i < length; i++) code += String(randomInt(10));
	return code;
}

/** What is stored: SHA-256 over the challenge id (salt) and the code. */
export function hashOtpCode(challengeId: string, code: string): string {
	return createHash('sha256').update(`${challengeId}:${code}`).digest('hex');
}

/** What the user typed, without spaces or dashes ("123 456", "123-456"). */
export function normaliseCode(typed: string): string {
	return typed.replace(/[\s-]/g, '').slice(0, 32);
}

export interface EmailOtpSettings {
	smtpServerId: string;
	fallbackSmtpServerId?: string | null;
	sender: string;
	codeLength: number;
	validitySeconds: number;
	/** Shown in the subject and text, e.g. the generator's display name or the site's name. */
	appName?: string;
}

/**
 * Issues a code for a login and mails it. Refused while the previous code of the login is younger than 30 s,
 * or when the account already got 5 codes in 15 minutes. A newer code replaces the older ones of the login.
 */
export async function issueEmailOtp(input: {
	loginId: string;
	domainId: string;
	personKey: string;
	to: string;
	settings: EmailOtpSettings;
	send: MailSender;
	/** The requester's address, for the per-IP limit. */
	ip?: string;
	/**
	 * False for an admin's resend of a code that was never delivered: the 30 s between codes guards against a
	 * user's double click, not against the console; the per-account limit still holds.
	 */
	cooldown?: boolean;
	now?: Date;
}): Promise<IssueEmailOtpResult> {
	const now = input.now ?? new Date();
	const validity = Math.min(
		Math.max(input.settings.validitySeconds || DEFAULT_VALIDITY_SECONDS, 60),
		MAX_VALIDITY_SECONDS
	);
	const id = randomUUID();
	const code = generateNumericCode(input.settings.codeLength);
	const expiresAt = new Date(now.getTime() + validity * 1000);

	const refused = await db().transaction(async (tx) => {
		// Serialises resends of one login (two quick clicks must not both pass the cooldown).
		await tx
			.select({ id: tables.userSessions.id })
			.from(tables.userSessions)
			.where(eq(tables.userSessions.id, input.loginId))
			.for('update');
		const [last] = await tx
			.select({ createdAt: tables.otpChallenges.createdAt })
			.from(tables.otpChallenges)
			.where(eq(tables.otpChallenges.loginId, input.loginId))
			.orderBy(desc(tables.otpChallenges.createdAt))
			.limit(1);
		if (
			input.cooldown !== false &&
			last &&
			now.getTime() - last.createdAt.getTime() < RESEND_COOLDOWN_MS
		)
			return {
				reason: 'cooldown' as const,
				retryAt: new Date(last.createdAt.getTime() + RESEND_COOLDOWN_MS)
			};
		const windowStart = new Date(now.getTime() - SEND_WINDOW_MS);
		const recent = await tx
			.select({ createdAt: tables.otpChallenges.createdAt })
			.from(tables.otpChallenges)
			.where(
				and(
					eq(tables.otpChallenges.domainId, input.domainId),
					eq(tables.otpChallenges.personKey, input.personKey),
					gt(tables.otpChallenges.createdAt, windowStart)
				)
			)
			.orderBy(asc(tables.otpChallenges.createdAt));
		if (recent.length >= MAX_CODES_PER_WINDOW)
			return {
				reason: 'limit' as const,
				retryAt: new Date(
					recent[recent.length - MAX_CODES_PER_WINDOW].createdAt.getTime() + SEND_WINDOW_MS
				)
			};
		if (input.ip) {
			const fromIp = await tx
				.select({ createdAt: tables.otpChallenges.createdAt })
				.from(tables.otpChallenges)
				.where(
					and(
						eq(tables.otpChallenges.ip, input.ip),
						gt(tables.otpChallenges.createdAt, windowStart)
					)
				)
				.orderBy(asc(tables.otpChallenges.createdAt));
			if (fromIp.length >= MAX_CODES_PER_IP_WINDOW)
				return {
					reason: 'ip-limit' as const,
					retryAt: new Date(
						fromIp[fromIp.length - MAX_CODES_PER_IP_WINDOW].createdAt.getTime() + SEND_WINDOW_MS
					)
				};
		}
		await tx
			.update(tables.otpChallenges)
			.set({ supersededAt: now })
			.where(
				and(
					eq(tables.otpChallenges.loginId, input.loginId),
					isNull(tables.otpChallenges.supersededAt)
				)
			);
		await tx.insert(tables.otpChallenges).values({
			id,
			loginId: input.loginId,
			domainId: input.domainId,
			personKey: input.personKey,
			codeHash: hashOtpCode(id, code),
			sentTo: input.to,
			ip: input.ip ?? null,
			createdAt: now,
			expiresAt
		});
		return null;
	});
	if (refused)
		return {
			ok: false,
			reason: refused.reason === 'cooldown' ? 'cooldown' : 'limit',
			retryAt: refused.retryAt,
			message: {
				cooldown: 'A code was sent moments ago. Wait a little before asking for another.',
				limit: 'Too many codes were sent to this account. Try again later.',
				'ip-limit': 'Too many codes were asked for from this network. Try again later.'
			}[refused.reason]
		};

	let delivery: 'sent' | 'delayed' | void;
	try {
		delivery = await input.send({
			...otpMessage(code, input.to, input.settings, validity),
			origin: { loginId: input.loginId }
		});
	} catch {
		// An unsent code must not be usable; it still counts towards the limits (no mail-server hammering).
		await db()
			.update(tables.otpChallenges)
			.set({ supersededAt: now })
			.where(eq(tables.otpChallenges.id, id));
		return {
			ok: false,
			reason: 'mail-failed',
			retryAt: new Date(now.getTime() + RESEND_COOLDOWN_MS),
			message: 'The code could not be sent. Try again in a moment, or tell your administrator.'
		};
	}
	return {
		ok: true,
		challengeId: id,
		expiresAt,
		destination: maskEmail(input.to),
		resendAt: new Date(now.getTime() + RESEND_COOLDOWN_MS),
		delayed: delivery === 'delayed'
	};
}

/**
 * Checks a typed code against the login's current code. Every try counts, right or wrong; after 5 the code
 * is burned. A right code is spent at once. A code issued for another login never matches.
 */
export async function verifyEmailOtp(input: {
	loginId: string;
	code: string;
	now?: Date;
}): Promise<VerifyEmailOtpResult> {
	const now = input.now ?? new Date();
	const challenge = await currentChallenge(input.loginId);
	const refusal = refusalOf(challenge, now);
	if (refusal || !challenge) return refusal ?? noCode();
	const [counted] = await db()
		.update(tables.otpChallenges)
		.set({ attempts: sql`${tables.otpChallenges.attempts} + 1` })
		.where(
			and(
				eq(tables.otpChallenges.id, challenge.id),
				lt(tables.otpChallenges.attempts, MAX_TRIES),
				isNull(tables.otpChallenges.consumedAt)
			)
		)
		.returning({ attempts: tables.otpChallenges.attempts });
	if (!counted) return burned();

	const typed = normaliseCode(input.code);
	const expected = Buffer.from(challenge.codeHash, 'hex');
	const actual = Buffer.from(hashOtpCode(challenge.id, typed), 'hex');
	if (timingSafeEqual(expected, actual)) {
		const [spent] = await db()
			.update(tables.otpChallenges)
			.set({ consumedAt: now })
			.where(
				and(eq(tables.otpChallenges.id, challenge.id), isNull(tables.otpChallenges.consumedAt))
			)
			.returning({ id: tables.otpChallenges.id });
		if (spent) return { ok: true };
		return { ok: false, reason: 'no-code', message: 'This code was already used.' };
	}
	const attemptsLeft = MAX_TRIES - counted.attempts;
	if (attemptsLeft <= 0) return burned();
	return {
		ok: false,
		reason: 'invalid',
		attemptsLeft,
		message: `Wrong code. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left.`
	};
}

/**
 * Why the login's current code cannot be checked now (none, spent, expired, or its tries used up), or null
 * when a try may be made. Compares nothing and spends no try: a caller answers these before counting an
 * attempt anywhere, since they are not guesses.
 */
export async function emailOtpRefusal(
	loginId: string,
	now = new Date()
): Promise<EmailOtpRefusal | null> {
	return refusalOf(await currentChallenge(loginId), now);
}

function refusalOf(challenge: OtpChallengeRow | null, now: Date): EmailOtpRefusal | null {
	if (!challenge || challenge.consumedAt) return noCode();
	if (challenge.expiresAt <= now)
		return {
			ok: false,
			reason: 'expired',
			message: 'This code has expired. Ask for a new one.'
		};
	if (challenge.attempts >= MAX_TRIES) return burned();
	return null;
}

function noCode(): EmailOtpRefusal {
	return {
		ok: false,
		reason: 'no-code',
		message: 'There is no code to check. Ask for a new one.'
	};
}

/** What the code page shows: where the code went, until when, how many tries remain, when resend opens. */
export async function describeEmailOtp(
	loginId: string,
	now = new Date()
): Promise<EmailOtpStatus | null> {
	const challenge = await currentChallenge(loginId);
	const [last] = await db()
		.select({ createdAt: tables.otpChallenges.createdAt })
		.from(tables.otpChallenges)
		.where(eq(tables.otpChallenges.loginId, loginId))
		.orderBy(desc(tables.otpChallenges.createdAt))
		.limit(1);
	if (!challenge && !last) return null;
	const resendAt = last ? new Date(last.createdAt.getTime() + RESEND_COOLDOWN_MS) : now;
	return {
		destination: challenge ? maskEmail(challenge.sentTo) : null,
		expiresAt: challenge?.expiresAt ?? null,
		expired: challenge ? challenge.expiresAt <= now : false,
		attemptsLeft: challenge ? Math.max(0, MAX_TRIES - challenge.attempts) : 0,
		usedUp: !!challenge && !challenge.consumedAt && challenge.attempts >= MAX_TRIES,
		resendAt,
		cooldownSeconds: Math.max(0, Math.ceil((resendAt.getTime() - now.getTime()) / 1000))
	};
}

/** How many codes the account got in the current 15-minute window. */
export async function countRecentCodes(domainId: string, personKey: string, now = new Date()) {
	const [row] = await db()
		.select({ n: count() })
		.from(tables.otpChallenges)
		.where(
			and(
				eq(tables.otpChallenges.domainId, domainId),
				eq(tables.otpChallenges.personKey, personKey),
				gt(tables.otpChallenges.createdAt, new Date(now.getTime() - SEND_WINDOW_MS))
			)
		);
	return row.n;
}

/** Retires every unspent code of a sign-in (it passed its second factor: they are of no more use). */
export async function supersedeLoginCodes(loginId: string, now = new Date()): Promise<void> {
	await db()
		.update(tables.otpChallenges)
		.set({ supersededAt: now })
		.where(eq(tables.otpChallenges.loginId, loginId));
}

/**
 * Deletes codes that expired or were made more than a day ago: the per-account and per-IP sending limits
 * count over 15 minutes only, so older rows serve nothing.
 */
export async function purgeOldCodes(now = new Date()): Promise<void> {
	const dayAgo = new Date(now.getTime() - 24 * 60 * 60 * 1000);
	await db()
		.delete(tables.otpChallenges)
		.where(
			or(lt(tables.otpChallenges.expiresAt, dayAgo), lt(tables.otpChallenges.createdAt, dayAgo))
		);
}

/** The login's newest code that was sent and not replaced. */
async function currentChallenge(loginId: string): Promise<OtpChallengeRow | null> {
	const [row] = await db()
		.select()
		.from(tables.otpChallenges)
		.where(
			and(eq(tables.otpChallenges.loginId, loginId), isNull(tables.otpChallenges.supersededAt))
		)
		.orderBy(desc(tables.otpChallenges.createdAt))
		.limit(1);
	return row ?? null;
}

function burned(): EmailOtpRefusal {
	return {
		ok: false,
		reason: 'burned',
		message: 'Too many wrong codes: this code no longer works. Ask for a new one.'
	};
}

function otpMessage(code: string, to: string, settings: EmailOtpSettings, validitySeconds: number) {
	return {
		kind: 'email-otp' as const,
		smtpServerId: settings.smtpServerId,
		fallbackSmtpServerId: settings.fallbackSmtpServerId ?? null,
		from: settings.sender,
		to,
		...signInCodeMail({ code, appName: settings.appName, validitySeconds })
	};
}

export type IssueEmailOtpResult =
	| {
			ok: true;
			challengeId: string;
			expiresAt: Date;
			destination: string;
			resendAt: Date;
			/** The mail server is slow or deferred the code: it is on its way, the outbox keeps trying. */
			delayed: boolean;
	  }
	| {
			ok: false;
			reason: 'cooldown' | 'limit' | 'mail-failed';
			retryAt: Date;
			message: string;
	  };

export type EmailOtpRefusal = {
	ok: false;
	reason: 'burned' | 'expired' | 'no-code';
	message: string;
};

export type VerifyEmailOtpResult =
	| { ok: true }
	| { ok: false; reason: 'invalid'; attemptsLeft: number; message: string }
	| EmailOtpRefusal;

export interface EmailOtpStatus {
	/** Masked, e.g. j***@example.com; null when no usable code was sent. */
	destination: string | null;
	expiresAt: Date | null;
	expired: boolean;
	attemptsLeft: number;
	/** The code's 5 tries are spent: only a new code helps. */
	usedUp: boolean;
	resendAt: Date;
	cooldownSeconds: number;
}
