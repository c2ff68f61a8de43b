/**
 * The audit log: who did what, when, from which IP. Details pass through redactAuditDetail(), which drops any
 * field whose name says it holds a secret, so a careless caller cannot write one.
 */
import { asc, desc, gt, lt } from 'drizzle-orm';
import { db, tables } from './db/index.js';

/** Who does an admin change, for the audit log. */
export interface AuditContext {
	actor: string;
	ip?: string;
}

export type AuditAction =
	| 'setup.completed'
	| 'auth.sign_in'
	| 'auth.sign_out'
	| 'auth.locked'
	| 'account.password_changed'
	| 'account.password_reset'
	| 'recovery.used'
	| 'recovery.regenerated'
	| 'site.updated'
	| 'site.admin_created'
	| 'site.reset_link_sent'
	| 'site.reset_link_used'
	| 'smtp.created'
	| 'smtp.updated'
	| 'smtp.deleted'
	| 'smtp.tested'
	| 'mail.resent'
	| `alert.${'rule_updated' | 'settings_updated' | 'tested' | 'health_checked'}`
	| IdentityAuditAction;

/** Identity actions: identity domains, OTP generators, local users, end-user sign-in, TOTP, portal. */
type IdentityAuditAction =
	| `application.${'created' | 'updated' | 'deleted'}`
	| `otp_generator.${'created' | 'updated' | 'deleted' | 'tested'}`
	| `domain.${'created' | 'updated' | 'deleted' | 'tested'}`
	| `user.${'created' | 'updated' | 'deleted' | 'password_set' | 'disabled' | 'enabled'}`
	| `login.${'password' | 'second_factor' | 'no_email' | 'code_sent' | 'sign_out'}`
	| `totp.${'enrolled' | 'key_mailed' | 'reset'}`
	| 'portal.launch'
	| `notification_profile.${'created' | 'updated' | 'deleted' | 'enabled' | 'disabled' | 'tested'}`;

export interface AuditEvent {
	actor: string | null;
	action: AuditAction;
	outcome?: 'ok' | 'failed';
	ip?: string;
	detail?: Record<string, unknown>;
}

const SECRET_NAME = /pass|secret|token|code|key|hash|credential|cookie|authori[sz]ation/i;

export function redactAuditDetail(detail: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(detail)) {
		if (SECRET_NAME.test(name)) continue;
		out[name] = redactValue(value);
	}
	return out;
}

/** Objects inside arrays are redacted too (e.g. a list of attempts, each with its own credentials). */
function redactValue(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(redactValue);
	return value && typeof value === 'object'
		? redactAuditDetail(value as Record<string, unknown>)
		: value;
}

/**
 * Heard after each entry is written: how higher layers (alerts) react to what happened without this module
 * knowing them. A listener's failure is logged by the listener's owner and never fails the audited action.
 */
export type AuditListener = (event: AuditEvent) => Promise<void>;

const listeners = new Set<AuditListener>();

/** Adds a listener; returns its removal. */
export function onAudit(listener: AuditListener): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}

export async function recordAudit(event: AuditEvent) {
	const detail = event.detail ? redactAuditDetail(event.detail) : null;
	await db()
		.insert(tables.auditLog)
		.values({
			actor: event.actor,
			action: event.action,
			outcome: event.outcome ?? 'ok',
			ip: event.ip,
			detail
		});
	for (const listener of listeners)
		await listener({ ...event, detail: detail ?? undefined }).catch(() => undefined);
}

export const AUDIT_PAGE_SIZE = 50;

export interface AuditPageQuery {
	/** Entries older than this entry's id (the next page), or newer (the previous page); neither: the newest. */
	olderThan?: number | null;
	newerThan?: number | null;
	pageSize?: number;
}

/**
 * A page of the log, newest first, in one query at any size: keyset on the entry's id, which a sequence gives
 * in the order entries are written, so page 10,000 costs what the first does and no total is counted.
 * `older` and `newer` are the cursors of the pages on either side (null: there is none).
 */
export async function listAuditPage(query: AuditPageQuery = {}) {
	const log = tables.auditLog;
	const pageSize = query.pageSize ?? AUDIT_PAGE_SIZE;
	const backwards = !query.olderThan && Boolean(query.newerThan);
	const rows = await db()
		.select()
		.from(log)
		.where(
			query.olderThan
				? lt(log.id, query.olderThan)
				: query.newerThan
					? gt(log.id, query.newerThan)
					: undefined
		)
		.orderBy(backwards ? asc(log.id) : desc(log.id))
		.limit(pageSize + 1);
	const more = rows.length > pageSize;
	const page = rows.slice(0, pageSize);
	if (backwards) page.reverse();
	const newest = page[0]?.id ?? null;
	const oldest = page.at(-1)?.id ?? null;
	return {
		rows: page,
		older: backwards ? oldest : more ? oldest : null,
		newer: backwards ? (more ? newest : null) : query.olderThan ? newest : null
	};
}
