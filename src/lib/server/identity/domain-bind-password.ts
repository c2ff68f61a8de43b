/**
 * An LDAP domain's bind password is write-only: sealed before it is stored, never in a view. A blank password
 * field keeps the stored one only while the URL, the bind DN, StartTLS and the CA certificate are unchanged, on
 * save and on test alike (the rule SMTP secrets follow, mail/secret-reuse.ts): otherwise an admin could point
 * the stored password at a server of their own, or have it sent in clear (StartTLS off on ldap://) or to
 * whoever a new CA vouches for.
 */
import type { DomainRow } from '../db/schema/index.js';
import { openSecret, sealSecret } from '../secrets.js';
import type { DomainForm, LdapDomainForm } from '../../schemas/domains.js';
import type { SaveFailure } from './common.js';
import type { DomainField } from './domain-types.js';

export type BindPasswordResolution =
	| { ok: true; sealed: string | null; plain: string | null; replaced: boolean }
	| SaveFailure<DomainField>;

/** The bind password a save or a test uses: typed (sealed anew), stored (when the rule allows), or a refusal. */
export function resolveBindPassword(
	form: DomainForm,
	stored: DomainRow | null
): BindPasswordResolution {
	if (form.kind !== 'ldap' || !form.bindDn)
		return { ok: true, sealed: null, plain: null, replaced: false };
	if (form.bindPassword !== '')
		return {
			ok: true,
			sealed: sealSecret(form.bindPassword),
			plain: form.bindPassword,
			replaced: true
		};
	const storedSealed = stored?.ldapBindPasswordSealed ?? null;
	if (!storedSealed)
		return {
			ok: false,
			field: 'bindPassword',
			code: 'secret_required',
			message: 'Enter the bind password.'
		};
	const changed = changedBindDestination(stored!, form);
	if (changed.length > 0)
		return {
			ok: false,
			field: 'bindPassword',
			code: 'secret_retype',
			message: `You changed the ${changed.join(', ')}: type the bind password again. A stored bind password is only reused for the destination it was saved for.`
		};
	return { ok: true, sealed: storedSealed, plain: openSecret(storedSealed), replaced: false };
}

/** As stored: trimmed, blank = none. */
export function normaliseCaPem(pem: string | null) {
	return pem?.trim() || null;
}

/**
 * What decides where the stored bind password goes and how: the server (URL), the account (bind DN), whether
 * an ldap:// connection is upgraded to TLS before the bind (StartTLS), and which CA the server's certificate
 * must chain to. Any of them changed: the labels of those that did, as the form names them.
 */
function changedBindDestination(stored: DomainRow, form: LdapDomainForm): string[] {
	const changed: string[] = [];
	if (normaliseUrl(stored.ldapUrl) !== normaliseUrl(form.url)) changed.push('URL');
	if ((stored.ldapBindDn ?? '').trim().toLowerCase() !== form.bindDn.trim().toLowerCase())
		changed.push('bind DN');
	if (stored.ldapStartTls !== form.startTls) changed.push('StartTLS setting');
	if (sameCertificateText(stored.ldapCaPem) !== sameCertificateText(form.caPem))
		changed.push('CA certificate');
	return changed;
}

function normaliseUrl(url: string | null) {
	return (url ?? '').trim().toLowerCase().replace(/\/$/, '');
}

/** For comparing only: a textarea posts CR LF line breaks, a script may post LF; the certificate is the same. */
function sameCertificateText(pem: string | null) {
	return normaliseCaPem(pem)?.replace(/\r\n?/g, '\n') ?? null;
}
