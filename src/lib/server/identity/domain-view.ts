/** From a stored domain to what pages get: the view (no bind password) and the edit form's values. */
import type { DomainRow } from '../db/schema/index.js';
import type { DomainForm } from '../../schemas/domains.js';
import type { DomainView } from './domain-types.js';

export type GeneratorSummaries = Map<string, { id: string; name: string; type: 'email' | 'totp' }>;

export function toDomainView(
	row: DomainRow,
	generators: GeneratorSummaries,
	userCount: number
): DomainView {
	return {
		id: row.id,
		kind: row.kind,
		name: row.name,
		isTest: row.isTest,
		otpGeneratorId: row.otpGeneratorId,
		otpGenerator: row.otpGeneratorId ? (generators.get(row.otpGeneratorId) ?? null) : null,
		emailAttribute: row.emailAttribute,
		ldap:
			row.kind === 'ldap'
				? {
						url: row.ldapUrl ?? '',
						startTls: row.ldapStartTls,
						caPem: row.ldapCaPem,
						bindDn: row.ldapBindDn,
						hasBindPassword: row.ldapBindPasswordSealed !== null,
						baseDn: row.ldapBaseDn ?? '',
						userFilter: row.ldapUserFilter ?? '',
						timeoutSeconds: row.ldapTimeoutSeconds
					}
				: null,
		userCount,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt
	};
}

/** The edit form's values for a stored domain; the bind password field starts blank (= keep). */
export function domainFormValues(d: DomainView): DomainForm {
	return {
		kind: d.kind,
		name: d.name,
		isTest: d.isTest,
		otpGeneratorId: d.otpGeneratorId ?? '',
		emailAttribute: d.emailAttribute,
		url: d.ldap?.url ?? '',
		startTls: d.ldap?.startTls ?? false,
		caPem: d.ldap?.caPem ?? '',
		bindDn: d.ldap?.bindDn ?? '',
		bindPassword: '',
		baseDn: d.ldap?.baseDn ?? '',
		userFilter: d.ldap?.userFilter ?? '',
		timeoutSeconds: d.ldap?.timeoutSeconds ?? 10
	} as DomainForm;
}
