/** What saving, deleting or resolving an SMTP server answers, and the refusals they share. */
import type { DestinationField } from './secret-reuse.js';
import type { ServerUsage, SmtpServerSettings, SmtpServerView } from './types.js';

export interface SaveServerFailure {
	ok: false;
	/** The form field the message belongs to (null: the form as a whole). */
	field: 'name' | 'password' | 'clientSecret' | null;
	code: 'name_taken' | 'secret_required' | 'secret_retype' | 'not_found';
	message: string;
	/** For 'secret_retype': the fields whose change requires the secret again. */
	changed?: DestinationField[];
}

export type SaveServerResult = { ok: true; server: SmtpServerView } | SaveServerFailure;

export type DeleteServerResult =
	| { ok: true }
	| { ok: false; code: 'in_use'; usages: ServerUsage[]; message: string }
	| { ok: false; code: 'not_found'; message: string };

export type ResolveSettingsResult = { ok: true; settings: SmtpServerSettings } | SaveServerFailure;

export function serverNameTaken(): SaveServerFailure {
	return {
		ok: false,
		field: 'name',
		code: 'name_taken',
		message: 'Another SMTP server already has this display name.'
	};
}

export function serverNotFound(): SaveServerFailure {
	return {
		ok: false,
		field: null,
		code: 'not_found',
		message: 'This SMTP server no longer exists.'
	};
}
