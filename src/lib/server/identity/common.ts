/** Small shared pieces of the identity admin modules. */

export type { AuditContext } from '../audit.js';
export { isUuid } from '../ids.js';
export { isUniqueViolation } from '../db/errors.js';

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

export function notFound(what: string): SaveFailure<never> & { field: null } {
	return { ok: false, field: null, code: 'not_found', message: `This ${what} no longer exists.` };
}
