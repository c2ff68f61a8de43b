/**
 * SMTP server secrets (password, client secret) are write-only: sealed before they reach the database, never in
 * a view. A blank secret field keeps the stored secret only while its destination is unchanged (secret-reuse.ts),
 * so an admin cannot send a stored secret to a server of their own: the same rule applies on save and when an
 * edited form is tested before it is saved.
 */
import { usesMicrosoftApp } from '../../choices/smtp-server.js';
import { openSecret, sealSecret } from '../secrets.js';
import type { SmtpServerRow } from '../db/schema/index.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import {
	findChangedDestinationFields,
	resolveSecretInput,
	type DestinationField,
	type SecretKind
} from './secret-reuse.js';
import { secretDestinationOf, toServerColumns } from './server-columns.js';
import { buildAuthSettings } from './server-settings.js';
import { findServerRow } from './server-reads.js';
import {
	serverNotFound,
	type ResolveSettingsResult,
	type SaveServerFailure
} from './server-results.js';

export type SecretsResolution =
	| {
			ok: true;
			/** The sealed values to write; a key left out keeps the stored value. */
			columns: { passwordSealed?: string | null; clientSecretSealed?: string | null };
			/** The secrets typed in the form, in clear. */
			typed: { password?: string; clientSecret?: string };
			/** The form fields whose secret is replaced. */
			replaced: string[];
	  }
	| SaveServerFailure;

const SECRET_FIELD: Record<SecretKind, { field: 'password' | 'clientSecret'; label: string }> = {
	password: { field: 'password', label: 'password' },
	clientSecret: { field: 'clientSecret', label: 'client secret' }
};

const FIELD_LABELS: Record<DestinationField, string> = {
	host: 'server',
	port: 'port',
	security: 'connection type',
	auth: 'authentication',
	username: 'username',
	mailbox: 'mailbox',
	fromAddress: 'sender address',
	verifyTls: 'TLS verification setting',
	caPem: 'CA certificate',
	cloud: 'cloud',
	tenantId: 'tenant ID',
	clientId: 'client ID'
};

/**
 * Applies the reuse rule to the secret the form's authentication needs. `columns` holds the sealed values to
 * write (a key left out keeps the stored value); secrets of other authentication types are cleared.
 */
export function resolveServerSecrets(
	form: SmtpServerForm,
	before: SmtpServerRow | null
): SecretsResolution {
	const columns: { passwordSealed?: string | null; clientSecretSealed?: string | null } = {
		passwordSealed: null,
		clientSecretSealed: null
	};
	const typed: { password?: string; clientSecret?: string } = {};
	const replaced: string[] = [];
	const kind: SecretKind | null =
		form.auth === 'basic' ? 'password' : usesMicrosoftApp(form.auth) ? 'clientSecret' : null;
	if (!kind) return { ok: true, columns, typed, replaced };

	const { field, label } = SECRET_FIELD[kind];
	const value =
		form.auth === 'basic'
			? form.password
			: form.auth === 'microsoft' || form.auth === 'graph'
				? form.clientSecret
				: '';
	const stored = kind === 'password' ? before?.passwordSealed : before?.clientSecretSealed;
	const changed = before
		? findChangedDestinationFields(
				kind,
				secretDestinationOf(before),
				secretDestinationOf(toServerColumns(form))
			)
		: [];
	const decision = resolveSecretInput({ typed: value, hasStored: Boolean(stored), changed });
	if ('error' in decision) {
		if (decision.error === 'required')
			return {
				ok: false,
				field,
				code: 'secret_required',
				message: `Enter the ${label}.`
			};
		const what = decision.changed.map((f) => FIELD_LABELS[f]).join(', ');
		return {
			ok: false,
			field,
			code: 'secret_retype',
			changed: decision.changed,
			message: `You changed the ${what}: type the ${label} again. A stored ${label} is only reused for the destination it was saved for.`
		};
	}
	const sealedKey = kind === 'password' ? 'passwordSealed' : 'clientSecretSealed';
	if (decision.action === 'keep') delete columns[sealedKey];
	else {
		columns[sealedKey] = sealSecret(decision.value);
		typed[field] = decision.value;
		replaced.push(field);
	}
	return { ok: true, columns, typed, replaced };
}

/**
 * The settings a configuration test of `form` runs with, for a new server (no `id`) or an edited one. A blank
 * secret reuses the stored one under the same rule as saving: an edited destination needs the secret typed
 * again, so a test can never carry a stored secret to a new place. Server-side only: the secrets are open.
 */
export async function resolveServerSettings(
	form: SmtpServerForm,
	id?: string
): Promise<ResolveSettingsResult> {
	const before = id ? await findServerRow(id) : null;
	if (id && !before) return serverNotFound();
	const secrets = resolveServerSecrets(form, before ?? null);
	if (!secrets.ok) return secrets;
	const openedPassword =
		secrets.columns.passwordSealed === undefined
			? before?.passwordSealed && openSecret(before.passwordSealed)
			: null;
	const openedClientSecret =
		secrets.columns.clientSecretSealed === undefined
			? before?.clientSecretSealed && openSecret(before.clientSecretSealed)
			: null;
	const columns = toServerColumns(form);
	const auth = buildAuthSettings(form, {
		password: secrets.typed.password ?? openedPassword ?? '',
		clientSecret: secrets.typed.clientSecret ?? openedClientSecret ?? ''
	});
	return {
		ok: true,
		settings: {
			id,
			name: columns.name,
			host: columns.host,
			port: columns.port,
			security: columns.security,
			auth,
			fromAddress: columns.fromAddress,
			fromName: columns.fromName,
			verifyTls: columns.verifyTls,
			caPem: columns.caPem,
			timeoutSeconds: columns.timeoutSeconds
		}
	};
}

/**
 * What the form changes among the fields that decide where a stored secret goes (and for whom), compared with
 * the saved server; null when there is no such server. The site settings ask for the admin's password when
 * this is not empty: the site's mail carries password-reset links.
 */
export async function findChangedServerDestination(
	id: string,
	form: SmtpServerForm
): Promise<DestinationField[] | null> {
	const before = await findServerRow(id);
	if (!before) return null;
	return findChangedDestinationFields(
		'clientSecret',
		secretDestinationOf(before),
		secretDestinationOf(toServerColumns(form))
	);
}
