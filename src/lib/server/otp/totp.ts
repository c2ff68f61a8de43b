/**
 * TOTP (RFC 6238) with otplib 13: 20-byte secrets sealed at rest, SHA-1 / 6 digits / 30 s unless the
 * generator says otherwise, codes of T-1, T and T+1 accepted (server clock only), and the matched time step
 * stored so that step and every earlier one are refused afterwards (replay, and T-1 after T).
 *
 * Enrollment: a pending secret per person (reused until confirmed, so a reload shows the same key and the
 * e-mailed key stays right), an otpauth URI with issuer and account, a QR code rendered here as SVG (never by
 * a third-party service), confirmation with a current code. An admin reset deletes the enrollment: the next
 * sign-in enrolls again, and only then may the key be e-mailed again.
 */
import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { TotpAlgorithm, TotpEnrollmentRow } from '../db/schema/index.js';
import { openSecret, sealSecret } from '../secrets.js';
import { recordAudit } from '../audit.js';
import { maskEmail, type MailSender } from './mail.js';
import { totpKeyMail } from '../mail/templates/totp-key.js';

export const TOTP_SECRET_BYTES = 20;

export interface TotpOptions {
	algorithm: TotpAlgorithm;
	digits: 6 | 8;
	period: 30 | 60;
}

export const DEFAULT_TOTP_OPTIONS: TotpOptions = { algorithm: 'sha1', digits: 6, period: 30 };

export const TOTP_ALGORITHM_NAMES: Record<TotpAlgorithm, string> = {
	sha1: 'SHA-1',
	sha256: 'SHA-256',
	sha512: 'SHA-512'
};

/** A new base32 secret of 160 random bits (RFC 4226 R6). */
export function newTotpSecret(): string {
	return generateSecret({ length: TOTP_SECRET_BYTES });
}

/** The time step a moment falls in. */
export function totpStep(at: Date, period: number): number {
	return Math.floor(at.getTime() / 1000 / period);
}

/** The code for a moment (tests, and the e2e helper that plays the authenticator app). */
export function totpCode(
	secret: string | Uint8Array,
	options: TotpOptions = DEFAULT_TOTP_OPTIONS,
	at: Date = new Date()
): Promise<string> {
	return generate({
		secret,
		algorithm: options.algorithm,
		digits: options.digits,
		period: options.period,
		epoch: Math.floor(at.getTime() / 1000)
	});
}

/**
 * Checks a code against T-1..T+1 around `now`, skipping every step at or before `afterStep`.
 * Returns the matched step, or why not.
 */
export async function checkTotpCode(input: {
	secret: string | Uint8Array;
	code: string;
	options?: TotpOptions;
	now?: Date;
	afterStep?: number | null;
}): Promise<{ valid: true; step: number } | { valid: false; replay: boolean }> {
	const options = input.options ?? DEFAULT_TOTP_OPTIONS;
	const code = input.code.replace(/\s/g, '');
	if (!new RegExp(`^\\d{${options.digits}}$`).test(code)) return { valid: false, replay: false };
	const now = input.now ?? new Date();
	const current = totpStep(now, options.period);
	const common = {
		secret: input.secret,
		token: code,
		algorithm: options.algorithm,
		digits: options.digits,
		period: options.period,
		epoch: Math.floor(now.getTime() / 1000),
		// In seconds: one period either side is exactly steps T-1..T+1.
		epochTolerance: options.period
	};
	const after = input.afterStep ?? null;
	// otplib refuses an afterTimeStep beyond T+1 (a clock set back): then every acceptable step is used.
	if (after === null || after < current + 1) {
		const result = await verify(
			after === null ? common : { ...common, afterTimeStep: Math.max(after, 0) }
		);
		if (result.valid) return { valid: true, step: current + result.delta };
	}
	if (after === null) return { valid: false, replay: false };
	// Not valid among the unused steps: say whether it was a used one, so the page can say "already used".
	const again = await verify(common);
	return { valid: false, replay: again.valid };
}

/** otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=...&digits=...&period=... */
export function totpUri(input: {
	secret: string;
	issuer: string;
	account: string;
	options?: TotpOptions;
}): string {
	const options = input.options ?? DEFAULT_TOTP_OPTIONS;
	return generateURI({
		issuer: input.issuer,
		label: input.account,
		secret: input.secret,
		algorithm: options.algorithm,
		digits: options.digits,
		period: options.period
	});
}

/** The QR code of a URI as an SVG element, rendered here (no request leaves the server or the browser). */
export function qrCodeSvg(text: string): Promise<string> {
	return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** "JBSW Y3DP EHPK 3PXP ...": the key as people type it. */
export function formatTotpKey(secret: string): string {
	return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

// ---- enrollments ------------------------------------------------------------------------------------------

export interface TotpPerson {
	domainId: string;
	subject: string;
	username: string;
}

export async function findTotpEnrollment(
	domainId: string,
	subject: string
): Promise<TotpEnrollmentRow | null> {
	const [row] = await db()
		.select()
		.from(tables.totpEnrollments)
		.where(
			and(
				eq(tables.totpEnrollments.domainId, domainId),
				eq(tables.totpEnrollments.subject, subject)
			)
		);
	return row ?? null;
}

/**
 * The person's pending enrollment, created with a new secret when there is none. Refused (null) when the
 * person already has a confirmed one: only a reset allows a new key.
 */
export async function beginTotpEnrollment(
	person: TotpPerson,
	options: TotpOptions
): Promise<{ enrollment: TotpEnrollmentRow; secret: string; created: boolean } | null> {
	const existing = await findTotpEnrollment(person.domainId, person.subject);
	if (existing?.confirmedAt) return null;
	if (existing)
		return { enrollment: existing, secret: openSecret(existing.secretSealed), created: false };
	const secret = newTotpSecret();
	const [inserted] = await db()
		.insert(tables.totpEnrollments)
		.values({
			domainId: person.domainId,
			subject: person.subject,
			username: person.username,
			secretSealed: sealSecret(secret),
			algorithm: options.algorithm,
			digits: options.digits,
			period: options.period
		})
		.onConflictDoNothing()
		.returning();
	if (inserted) return { enrollment: inserted, secret, created: true };
	// Another request of the same person created it first: use theirs.
	const raced = await findTotpEnrollment(person.domainId, person.subject);
	if (!raced || raced.confirmedAt) return null;
	return { enrollment: raced, secret: openSecret(raced.secretSealed), created: false };
}

/** The secret of an enrollment, for the setup page to show again. */
export function pendingTotpSecret(enrollment: Pick<TotpEnrollmentRow, 'secretSealed'>): string {
	return openSecret(enrollment.secretSealed);
}

/** What the setup page shows for a pending enrollment. */
export async function describeTotpSetup(input: {
	enrollment: TotpEnrollmentRow;
	secret: string;
	issuer: string;
	account: string;
	showQr: boolean;
}): Promise<TotpSetupView> {
	const options = enrollmentOptions(input.enrollment);
	const uri = totpUri({
		secret: input.secret,
		issuer: input.issuer,
		account: input.account,
		options
	});
	return {
		keyText: formatTotpKey(input.secret),
		otpauthUri: uri,
		qrSvg: input.showQr ? await qrCodeSvg(uri) : null,
		issuer: input.issuer,
		account: input.account,
		algorithm: TOTP_ALGORITHM_NAMES[options.algorithm],
		digits: options.digits,
		period: options.period
	};
}

/**
 * Mails the key of a pending enrollment, once per enrollment (a reset makes a new one). Returns the masked
 * address, or why not (`already`: mailed before; `failed`: the send failed, reported and cleared so the next
 * sign-in tries again). Throws nothing. Call it from a POST (the password step), never from a page load.
 */
export async function mailTotpKeyOnce(input: {
	enrollment: TotpEnrollmentRow;
	secret: string;
	to: string;
	issuer: string;
	account: string;
	smtpServerId: string;
	from: string;
	send: MailSender;
	ip?: string;
	now?: Date;
}): Promise<{ sent: true; destination: string } | { sent: false; reason: 'already' | 'failed' }> {
	const now = input.now ?? new Date();
	if (input.enrollment.confirmedAt) return { sent: false, reason: 'already' };
	const [claimed] = await db()
		.update(tables.totpEnrollments)
		.set({ keyMailedAt: now })
		.where(
			and(
				eq(tables.totpEnrollments.id, input.enrollment.id),
				isNull(tables.totpEnrollments.keyMailedAt),
				isNull(tables.totpEnrollments.confirmedAt)
			)
		)
		.returning({ id: tables.totpEnrollments.id });
	if (!claimed) return { sent: false, reason: 'already' };
	const options = enrollmentOptions(input.enrollment);
	const key = formatTotpKey(input.secret);
	try {
		await input.send({
			kind: 'totp-key',
			smtpServerId: input.smtpServerId,
			from: input.from,
			to: input.to,
			...totpKeyMail({
				issuer: input.issuer,
				account: input.account,
				key,
				algorithmName: TOTP_ALGORITHM_NAMES[options.algorithm],
				digits: options.digits,
				period: options.period
			})
		});
	} catch {
		await db()
			.update(tables.totpEnrollments)
			.set({ keyMailedAt: null })
			.where(eq(tables.totpEnrollments.id, input.enrollment.id));
		await recordAudit({
			actor: input.account,
			action: 'totp.key_mailed',
			outcome: 'failed',
			ip: input.ip,
			detail: {
				domainId: input.enrollment.domainId,
				to: maskEmail(input.to),
				reason: 'send failed'
			}
		});
		return { sent: false, reason: 'failed' };
	}
	await recordAudit({
		actor: input.account,
		action: 'totp.key_mailed',
		ip: input.ip,
		detail: {
			domainId: input.enrollment.domainId,
			to: maskEmail(input.to),
			reason: 'first enrollment or after a reset'
		}
	});
	return { sent: true, destination: maskEmail(input.to) };
}

/**
 * Confirms a pending enrollment with a current code (T-1..T+1); the step used is recorded, so the same code
 * cannot then sign in again.
 */
export async function confirmTotpEnrollment(input: {
	enrollmentId: string;
	code: string;
	now?: Date;
}): Promise<TotpCheckResult> {
	const now = input.now ?? new Date();
	const [row] = await db()
		.select()
		.from(tables.totpEnrollments)
		.where(eq(tables.totpEnrollments.id, input.enrollmentId));
	if (!row) return { ok: false, reason: 'not-enrolled' };
	if (row.confirmedAt) return { ok: false, reason: 'already-confirmed' };
	const check = await checkTotpCode({
		secret: openSecret(row.secretSealed),
		code: input.code,
		options: enrollmentOptions(row),
		now
	});
	if (!check.valid) return { ok: false, reason: 'invalid' };
	const [confirmed] = await db()
		.update(tables.totpEnrollments)
		.set({ confirmedAt: now, lastUsedStep: check.step })
		.where(and(eq(tables.totpEnrollments.id, row.id), isNull(tables.totpEnrollments.confirmedAt)))
		.returning({ id: tables.totpEnrollments.id });
	if (!confirmed) return { ok: false, reason: 'already-confirmed' };
	return { ok: true, step: check.step };
}

/** Checks a code of a confirmed enrollment and spends its time step (atomic: two requests cannot share one). */
export async function verifyTotpEnrollment(input: {
	domainId: string;
	subject: string;
	code: string;
	now?: Date;
}): Promise<TotpCheckResult> {
	const now = input.now ?? new Date();
	const row = await findTotpEnrollment(input.domainId, input.subject);
	if (!row?.confirmedAt) return { ok: false, reason: 'not-enrolled' };
	const check = await checkTotpCode({
		secret: openSecret(row.secretSealed),
		code: input.code,
		options: enrollmentOptions(row),
		now,
		afterStep: row.lastUsedStep
	});
	if (!check.valid) return { ok: false, reason: check.replay ? 'replay' : 'invalid' };
	const [spent] = await db()
		.update(tables.totpEnrollments)
		.set({ lastUsedStep: check.step })
		.where(
			and(
				eq(tables.totpEnrollments.id, row.id),
				or(
					isNull(tables.totpEnrollments.lastUsedStep),
					lt(tables.totpEnrollments.lastUsedStep, check.step)
				)
			)
		)
		.returning({ id: tables.totpEnrollments.id });
	if (!spent) return { ok: false, reason: 'replay' };
	return { ok: true, step: check.step };
}

/**
 * Admin "Reset TOTP": deletes the enrollment (pending or confirmed). The next sign-in enrolls again, with a
 * new key, mailed again if the generator says so. Audited, also when there was nothing to reset.
 */
export async function resetTotpEnrollment(input: {
	domainId: string;
	subject: string;
	username: string;
	actor: string;
	ip?: string;
}): Promise<{ reset: boolean }> {
	const deleted = await db()
		.delete(tables.totpEnrollments)
		.where(
			and(
				eq(tables.totpEnrollments.domainId, input.domainId),
				eq(tables.totpEnrollments.subject, input.subject)
			)
		)
		.returning({ id: tables.totpEnrollments.id });
	await recordAudit({
		actor: input.actor,
		action: 'totp.reset',
		ip: input.ip,
		detail: {
			domainId: input.domainId,
			username: input.username,
			hadEnrollment: deleted.length > 0
		}
	});
	return { reset: deleted.length > 0 };
}

/** A domain's enrollments for the admin list (no secrets). */
export async function listTotpEnrollments(domainId: string): Promise<TotpEnrollmentView[]> {
	const rows = await db()
		.select()
		.from(tables.totpEnrollments)
		.where(eq(tables.totpEnrollments.domainId, domainId))
		.orderBy(asc(tables.totpEnrollments.username));
	return rows.map((row) => ({
		id: row.id,
		domainId: row.domainId,
		subject: row.subject,
		username: row.username,
		confirmedAt: row.confirmedAt,
		keyMailedAt: row.keyMailedAt,
		createdAt: row.createdAt,
		lastUsedAt: row.lastUsedStep === null ? null : new Date(row.lastUsedStep * row.period * 1000)
	}));
}

export function enrollmentOptions(
	row: Pick<TotpEnrollmentRow, 'algorithm' | 'digits' | 'period'>
): TotpOptions {
	return {
		algorithm: row.algorithm,
		digits: row.digits === 8 ? 8 : 6,
		period: row.period === 60 ? 60 : 30
	};
}

export type TotpCheckResult =
	| { ok: true; step: number }
	| { ok: false; reason: 'invalid' | 'replay' | 'not-enrolled' | 'already-confirmed' };

export interface TotpSetupView {
	/** The key in groups of four, for typing. */
	keyText: string;
	otpauthUri: string;
	/** <svg ...> markup, or null when the generator does not show QR codes. */
	qrSvg: string | null;
	issuer: string;
	account: string;
	/** 'SHA-1' | 'SHA-256' | 'SHA-512' */
	algorithm: string;
	digits: 6 | 8;
	period: 30 | 60;
}

export interface TotpEnrollmentView {
	id: string;
	domainId: string;
	subject: string;
	username: string;
	confirmedAt: Date | null;
	keyMailedAt: Date | null;
	createdAt: Date;
	lastUsedAt: Date | null;
}
