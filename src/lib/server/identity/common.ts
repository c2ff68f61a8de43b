/** Small shared pieces of the identity admin modules. */

/** Who does an admin change, for the audit log. */
export interface AuditContext {
	actor: string;
	ip?: string;
}

/** An expected refusal of a save, tied to a form field when there is one. */
export interface SaveFailure<Field extends string = string> {
	ok: false;
	field: Field | null;
	code:
		| 'not_found'
		| 'name_taken'
		| 'username_taken'
		| 'server_missing'
		| 'generator_missing'
		| 'secret_required'
		| 'secret_retype'
		| 'kind_locked'
		| 'not_local'
		| 'weak_password'
		| 'filter_invalid';
	message: string;
}

export type DeleteResult =
	| { ok: true }
	| { ok: false; code: 'not_found'; message: string }
	| { ok: false; code: 'in_use'; usedBy: { id: string; name: string }[]; message: string };

/** PostgreSQL unique_violation (23505), directly or wrapped by drizzle. */
export function isUniqueViolation(error: unknown): boolean {
	const e = error as { code?: string; cause?: { code?: string } } | undefined;
	return e?.code === '23505' || e?.cause?.code === '23505';
}

export function notFound(what: string): SaveFailure<never> & { field: null } {
	return { ok: false, field: null, code: 'not_found', message: `This ${what} no longer exists.` };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from URLs and forms: anything but a UUID finds nothing (and never reaches PostgreSQL). */
export function isUuid(id: string | null | undefined): id is string {
	return typeof id === 'string' && UUID.test(id);
}
