/**
 * TOTP enrollments, the one module that writes their table: a pending secret per person, sealed at rest and
 * reused until confirmed (so a reload shows the same key and an e-mailed key stays right), confirmation with
 * a current code, and every later code spending its time step atomically, so a step is never accepted twice.
 * An admin reset deletes the enrollment: the next sign-in enrolls again, and only then may the key be
 * e-mailed again.
 */
import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { TotpEnrollmentRow } from '../db/schema/index.js';
import { openSecret, sealSecret } from '../secrets.js';
import { recordAudit } from '../audit.js';
import {
	checkTotpCode,
	enrollmentOptions,
	newTotpSecret,
	type TotpOptions
} from './totp-crypto.js';

export interface TotpPerson {
	domainId: string;
	personKey: string;
	username: string;
}

export async function findTotpEnrollment(
	domainId: string,
	personKey: string
): Promise<TotpEnrollmentRow | null> {
	const [row] = await db()
		.select()
		.from(tables.totpEnrollments)
		.where(
			and(
				eq(tables.totpEnrollments.domainId, domainId),
				eq(tables.totpEnrollments.personKey, personKey)
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
	const existing = await findTotpEnrollment(person.domainId, person.personKey);
	if (existing?.confirmedAt) return null;
	if (existing)
		return { enrollment: existing, secret: openSecret(existing.secretSealed), created: false };
	const secret = newTotpSecret();
	const [inserted] = await db()
		.insert(tables.totpEnrollments)
		.values({
			domainId: person.domainId,
			personKey: person.personKey,
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
	const raced = await findTotpEnrollment(person.domainId, person.personKey);
	if (!raced || raced.confirmedAt) return null;
	return { enrollment: raced, secret: openSecret(raced.secretSealed), created: false };
}

/** The secret of an enrollment, for the setup page to show again. */
export function pendingTotpSecret(enrollment: Pick<TotpEnrollmentRow, 'secretSealed'>): string {
	return openSecret(enrollment.secretSealed);
}

/**
 * Claims the one key mail of a pending enrollment: true for the caller that may send it, false when it was
 * mailed (or claimed) before or the enrollment is confirmed.
 */
export async function claimTotpKeyMail(enrollmentId: string, now: Date): Promise<boolean> {
	const [claimed] = await db()
		.update(tables.totpEnrollments)
		.set({ keyMailedAt: now })
		.where(
			and(
				eq(tables.totpEnrollments.id, enrollmentId),
				isNull(tables.totpEnrollments.keyMailedAt),
				isNull(tables.totpEnrollments.confirmedAt)
			)
		)
		.returning({ id: tables.totpEnrollments.id });
	return claimed !== undefined;
}

/** Gives a claimed key mail back after its send failed, so the next sign-in tries again. */
export async function releaseTotpKeyMail(enrollmentId: string): Promise<void> {
	await db()
		.update(tables.totpEnrollments)
		.set({ keyMailedAt: null })
		.where(eq(tables.totpEnrollments.id, enrollmentId));
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
	personKey: string;
	code: string;
	now?: Date;
}): Promise<TotpCheckResult> {
	const now = input.now ?? new Date();
	const row = await findTotpEnrollment(input.domainId, input.personKey);
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
	personKey: string;
	username: string;
	actor: string;
	ip?: string;
}): Promise<{ reset: boolean }> {
	const deleted = await db()
		.delete(tables.totpEnrollments)
		.where(
			and(
				eq(tables.totpEnrollments.domainId, input.domainId),
				eq(tables.totpEnrollments.personKey, input.personKey)
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

/** Deletes a person's enrollment without an audit entry of its own (deleting the user is audited). */
export async function deleteTotpEnrollment(domainId: string, personKey: string): Promise<void> {
	await db()
		.delete(tables.totpEnrollments)
		.where(
			and(
				eq(tables.totpEnrollments.domainId, domainId),
				eq(tables.totpEnrollments.personKey, personKey)
			)
		);
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
		personKey: row.personKey,
		username: row.username,
		confirmedAt: row.confirmedAt,
		keyMailedAt: row.keyMailedAt,
		createdAt: row.createdAt,
		lastUsedAt: row.lastUsedStep === null ? null : new Date(row.lastUsedStep * row.period * 1000)
	}));
}

export type TotpCheckResult =
	| { ok: true; step: number }
	| { ok: false; reason: 'invalid' | 'replay' | 'not-enrolled' | 'already-confirmed' };

export interface TotpEnrollmentView {
	id: string;
	domainId: string;
	personKey: string;
	username: string;
	confirmedAt: Date | null;
	keyMailedAt: Date | null;
	createdAt: Date;
	lastUsedAt: Date | null;
}
