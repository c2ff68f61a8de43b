/**
 * Users of local domains (/admin/users): list, create (with a first password), edit, set or reset the
 * password, disable, delete; and "Reset TOTP" for local and LDAP users alike. Every change audited; the
 * password rules are the site's (server/password-rules.ts). Disabling a user, changing their password or deleting
 * them ends their portal sessions.
 */
import { and, eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { UserRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import { hashPassword } from '../auth/password.js';
import { findPasswordProblem } from '../password-rules.js';
import type { CreateUserForm, EditUserForm } from '../../schemas/users.js';
import { directoryForDomain } from '../directory/index.js';
import { findLocalUser, localPersonKey } from '../directory/local.js';
import { DirectoryError } from '../directory/types.js';
import { deleteTotpEnrollment, resetTotpEnrollment } from '../otp/totp-store.js';
import { findDomainRow } from './domain-reads.js';
import {
	isUniqueViolation,
	isUuid,
	notFound,
	type AuditContext,
	type SaveFailure
} from './common.js';

type Field = 'username' | 'password';

export async function getLocalUser(id: string): Promise<LocalUserView | null> {
	const row = await findUserRow(id);
	if (!row) return null;
	const [enrollment] = await db()
		.select({ confirmedAt: tables.totpEnrollments.confirmedAt })
		.from(tables.totpEnrollments)
		.where(
			and(
				eq(tables.totpEnrollments.domainId, row.domainId),
				eq(tables.totpEnrollments.personKey, localPersonKey(row.id))
			)
		);
	return toView(row, enrollment ? (enrollment.confirmedAt ? 'enrolled' : 'pending') : 'none');
}

export function localUserFormValues(user: LocalUserView): EditUserForm {
	return { displayName: user.displayName, email: user.email ?? '', disabled: user.disabled };
}

export async function createLocalUser(
	domainId: string,
	form: CreateUserForm,
	audit: AuditContext
): Promise<SaveUserResult> {
	const domain = await findDomainRow(domainId);
	if (!domain) return notFound('domain');
	if (domain.kind !== 'local')
		return {
			ok: false,
			field: null,
			code: 'not_local',
			message: 'Users of an LDAP domain live in the directory, not here.'
		};
	const weak = await findPasswordProblem(form.password, form.username);
	if (weak) return { ok: false, field: 'password', code: 'weak_password', message: weak };
	if (await findLocalUser(domainId, form.username)) return usernameTaken();
	try {
		const now = new Date();
		const [row] = await db()
			.insert(tables.users)
			.values({
				domainId,
				username: form.username,
				displayName: form.displayName,
				email: form.email || null,
				passwordHash: await hashPassword(form.password),
				disabledAt: form.disabled ? now : null,
				passwordChangedAt: now
			})
			.returning();
		await recordAudit({
			actor: audit.actor,
			action: 'user.created',
			ip: audit.ip,
			detail: {
				id: row.id,
				domain: domain.name,
				username: row.username,
				email: row.email,
				disabled: form.disabled
			}
		});
		return { ok: true, user: toView(row, 'none') };
	} catch (error) {
		if (isUniqueViolation(error)) return usernameTaken();
		throw error;
	}
}

/** Display name, e-mail and the disabled flag (the username stays: TOTP and history hang on the user). */
export async function updateLocalUser(
	id: string,
	form: EditUserForm,
	audit: AuditContext
): Promise<SaveUserResult> {
	const before = await findUserRow(id);
	if (!before) return notFound('user');
	const wasDisabled = before.disabledAt !== null;
	const [row] = await db()
		.update(tables.users)
		.set({
			displayName: form.displayName,
			email: form.email || null,
			disabledAt: form.disabled ? (before.disabledAt ?? new Date()) : null,
			updatedAt: new Date()
		})
		.where(eq(tables.users.id, id))
		.returning();
	if (!row) return notFound('user');
	const changed = (['displayName', 'email'] as const).filter((k) => before[k] !== row[k]);
	if (changed.length)
		await recordAudit({
			actor: audit.actor,
			action: 'user.updated',
			ip: audit.ip,
			detail: { id, username: row.username, changed, email: row.email }
		});
	if (form.disabled !== wasDisabled) await auditDisabled(row, form.disabled, audit);
	return { ok: true, user: (await getLocalUser(id))! };
}

/** Sets or resets the password (the site's rules apply) and ends the user's portal sessions. */
export async function setLocalUserPassword(
	id: string,
	password: string,
	audit: AuditContext
): Promise<SaveUserResult> {
	const row = await findUserRow(id);
	if (!row) return notFound('user');
	const weak = await findPasswordProblem(password, row.username);
	if (weak) return { ok: false, field: 'password', code: 'weak_password', message: weak };
	const now = new Date();
	await db()
		.update(tables.users)
		.set({ passwordHash: await hashPassword(password), passwordChangedAt: now, updatedAt: now })
		.where(eq(tables.users.id, id));
	await endUserSessions(id);
	await recordAudit({
		actor: audit.actor,
		action: 'user.password_set',
		ip: audit.ip,
		detail: { id, username: row.username, sessionsEnded: true }
	});
	return { ok: true, user: (await getLocalUser(id))! };
}

export async function setLocalUserDisabled(
	id: string,
	disabled: boolean,
	audit: AuditContext
): Promise<SaveUserResult> {
	const row = await findUserRow(id);
	if (!row) return notFound('user');
	if ((row.disabledAt !== null) !== disabled) {
		const [updated] = await db()
			.update(tables.users)
			.set({ disabledAt: disabled ? new Date() : null, updatedAt: new Date() })
			.where(eq(tables.users.id, id))
			.returning();
		await auditDisabled(updated, disabled, audit);
	}
	return { ok: true, user: (await getLocalUser(id))! };
}

/** Deletes the user with their TOTP enrollment; sessions go with the row. */
export async function deleteLocalUser(
	id: string,
	audit: AuditContext
): Promise<{ ok: true } | SaveFailure<Field>> {
	const row = await findUserRow(id);
	if (!row) return notFound('user');
	await deleteTotpEnrollment(row.domainId, localPersonKey(row.id));
	await db().delete(tables.users).where(eq(tables.users.id, id));
	await recordAudit({
		actor: audit.actor,
		action: 'user.deleted',
		ip: audit.ip,
		detail: { id, username: row.username }
	});
	return { ok: true };
}

/**
 * "Reset TOTP" for a user of any domain, by username: the next sign-in enrolls again. The person is found
 * through the domain's directory (their person key); when the directory cannot be asked, enrollments recorded
 * under that username are reset instead. Audited.
 */
export async function resetUserTotp(input: {
	domainId: string;
	username: string;
	audit: AuditContext;
}): Promise<{ ok: true; reset: boolean } | SaveFailure<Field>> {
	const domain = await findDomainRow(input.domainId);
	if (!domain) return notFound('domain');
	const personKeys = new Set<string>();
	let username = input.username.trim();
	try {
		const person = await directoryForDomain(domain).lookup(username);
		if (person) {
			personKeys.add(person.personKey);
			username = person.username;
		}
	} catch (error) {
		if (!(error instanceof DirectoryError)) throw error;
	}
	const byName = await db()
		.select({ personKey: tables.totpEnrollments.personKey })
		.from(tables.totpEnrollments)
		.where(
			and(
				eq(tables.totpEnrollments.domainId, domain.id),
				sql`lower(${tables.totpEnrollments.username}) = lower(${username})`
			)
		);
	for (const { personKey } of byName) personKeys.add(personKey);
	if (personKeys.size === 0) {
		await recordAudit({
			actor: input.audit.actor,
			action: 'totp.reset',
			ip: input.audit.ip,
			detail: { domainId: domain.id, username, hadEnrollment: false }
		});
		return { ok: true, reset: false };
	}
	let reset = false;
	for (const personKey of personKeys) {
		const result = await resetTotpEnrollment({
			domainId: domain.id,
			personKey,
			username,
			actor: input.audit.actor,
			ip: input.audit.ip
		});
		reset ||= result.reset;
	}
	return { ok: true, reset };
}

/** "Reset TOTP" from the enrollment list (works without asking the directory). */
export async function resetTotpById(
	enrollmentId: string,
	audit: AuditContext
): Promise<{ ok: true; reset: boolean } | SaveFailure<Field>> {
	if (!isUuid(enrollmentId)) return notFound('enrollment');
	const [row] = await db()
		.select()
		.from(tables.totpEnrollments)
		.where(eq(tables.totpEnrollments.id, enrollmentId));
	if (!row) return notFound('enrollment');
	const result = await resetTotpEnrollment({
		domainId: row.domainId,
		personKey: row.personKey,
		username: row.username,
		actor: audit.actor,
		ip: audit.ip
	});
	return { ok: true, reset: result.reset };
}

/** Ends every portal session (and pending sign-in) of a local user. */
export async function endUserSessions(userId: string) {
	await db().delete(tables.userSessions).where(eq(tables.userSessions.userId, userId));
}

async function auditDisabled(row: UserRow, disabled: boolean, audit: AuditContext) {
	if (disabled) await endUserSessions(row.id);
	await recordAudit({
		actor: audit.actor,
		action: disabled ? 'user.disabled' : 'user.enabled',
		ip: audit.ip,
		detail: { id: row.id, username: row.username, ...(disabled ? { sessionsEnded: true } : {}) }
	});
}

async function findUserRow(id: string): Promise<UserRow | null> {
	if (!isUuid(id)) return null;
	const [row] = await db().select().from(tables.users).where(eq(tables.users.id, id));
	return row ?? null;
}

function usernameTaken(): SaveFailure<Field> {
	return {
		ok: false,
		field: 'username',
		code: 'username_taken',
		message: 'This domain already has a user with this username.'
	};
}

function toView(row: UserRow, totp: TotpState): LocalUserView {
	return {
		id: row.id,
		domainId: row.domainId,
		username: row.username,
		displayName: row.displayName,
		email: row.email,
		disabled: row.disabledAt !== null,
		disabledAt: row.disabledAt,
		passwordChangedAt: row.passwordChangedAt,
		totp,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

export type TotpState = 'none' | 'pending' | 'enrolled';

/** A local user as pages see it: never the password hash. */
export interface LocalUserView {
	id: string;
	domainId: string;
	username: string;
	displayName: string;
	email: string | null;
	disabled: boolean;
	disabledAt: Date | null;
	passwordChangedAt: Date;
	/** 'none': not enrolled; 'pending': key shown, not confirmed yet; 'enrolled'. */
	totp: TotpState;
	createdAt: Date;
	updatedAt: Date;
}

export type SaveUserResult = { ok: true; user: LocalUserView } | SaveFailure<Field>;
