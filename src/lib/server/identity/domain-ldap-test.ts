/**
 * An LDAP domain's "Test connection", for a saved domain or a form not saved yet: the settings the form
 * describes, with the bind password typed or reused under the rule of domain-bind-password.ts.
 */
import { recordAudit } from '../audit.js';
import type { LdapDomainForm } from '../../schemas/domains.js';
import { testLdapConnection, type LdapTestResult } from '../directory/ldap.js';
import type { LdapSettings } from '../directory/types.js';
import { notFound, type AuditContext, type SaveFailure } from './common.js';
import { normaliseCaPem, resolveBindPassword } from './domain-bind-password.js';
import { findDomainRow } from './domain-reads.js';
import type { DomainField } from './domain-types.js';

/**
 * The LDAP settings a form describes, with the bind password typed or (same URL, bind DN, StartTLS and CA
 * certificate) the stored one: what "Test connection" uses before the form is saved.
 */
export async function resolveLdapTestSettings(
	form: LdapDomainForm,
	domainId: string | null
): Promise<{ ok: true; settings: LdapSettings } | SaveFailure<DomainField>> {
	const stored = domainId ? await findDomainRow(domainId) : null;
	if (domainId && !stored) return notFound('domain');
	const secret = resolveBindPassword(form, stored);
	if (!secret.ok) return secret;
	return {
		ok: true,
		settings: {
			url: form.url,
			startTls: form.startTls,
			caPem: normaliseCaPem(form.caPem),
			bindDn: form.bindDn || null,
			bindPassword: secret.plain,
			baseDn: form.baseDn,
			userFilter: form.userFilter,
			emailAttribute: form.emailAttribute,
			timeoutSeconds: form.timeoutSeconds
		}
	};
}

/**
 * "Test connection": binds, looks `username` up and reports the attributes found. Audited (admin probing a
 * network is worth a trace). Rate limiting belongs to the route's ladder.
 */
export async function testDomainConnection(input: {
	form: LdapDomainForm;
	domainId: string | null;
	username: string;
	audit: AuditContext;
}): Promise<{ ok: true; result: LdapTestResult } | SaveFailure<DomainField>> {
	const resolved = await resolveLdapTestSettings(input.form, input.domainId);
	if (!resolved.ok) return resolved;
	const result = await testLdapConnection(resolved.settings, input.username);
	await recordAudit({
		actor: input.audit.actor,
		action: 'domain.tested',
		outcome: result.ok ? 'ok' : 'failed',
		ip: input.audit.ip,
		detail: {
			domainId: input.domainId,
			url: input.form.url,
			username: input.username,
			diagnosis: result.ok ? null : result.diagnosis.id,
			emailPresent: result.ok ? result.emailPresent : null
		}
	});
	return { ok: true, result };
}
