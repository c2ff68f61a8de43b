/**
 * The identity domain form (/admin/domains): Local or LDAP, name, the "test domain" flag, the authentication
 * tokens (none or an OTP generator) and the e-mail attribute (`email` for local, `mail` for LDAP by default).
 * LDAP adds the URL (ldap:// or ldaps://), StartTLS, a CA certificate, the bind DN and password, the base DN
 * and a user filter with `{username}`.
 *
 * A discriminated union on `kind`. The bind password is write-only: blank keeps the stored one, which the
 * server allows only while the URL, bind DN, StartTLS and CA certificate are unchanged (identity/domain-bind-password.ts). Load functions pass
 * `domainFormDefaults`: `superValidate(zod4(domainSchema, { defaults: domainFormDefaults }))`.
 */
import { z } from 'zod';
import { DOMAIN_KINDS } from '../choices/domains.js';
import { multiLine, secretText, singleLine, strictNumber, UUID_PATTERN } from './fields.js';

export {
	DOMAIN_KINDS,
	DOMAIN_KIND_LABELS,
	DEFAULT_EMAIL_ATTRIBUTE,
	TEST_DOMAIN_ADVICE,
	DEFAULT_USER_FILTER,
	domainFormDefaults
} from '../choices/domains.js';

/** proto://host[:port][/]: ldapts takes nothing more (no DN, no query in the URL). */
const LDAP_URL =
	/^ldaps?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:\d{1,5})?\/?$/;
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const PEM_CERTIFICATE =
	/^\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/** One line of text; missing from the post (superforms reads an empty field of a union branch as absent) = empty. */
function line(label: string, max: number) {
	return singleLine(label, `Enter the ${label}.`).max(
		max,
		`${label} must be at most ${max} characters.`
	);
}

/** Parentheses balanced and the whole filter in one pair, e.g. (uid={username}) or (&(a=b)(uid={username})). */
export function isBalancedFilter(filter: string): boolean {
	if (!filter.startsWith('(') || !filter.endsWith(')')) return false;
	let depth = 0;
	for (let i = 0; i < filter.length; i++) {
		const c = filter[i];
		if (c === '\\') {
			i += 2;
			continue;
		}
		if (c === '(') depth++;
		if (c === ')') depth--;
		if (depth < 0 || (depth === 0 && i < filter.length - 1)) return false;
	}
	return depth === 0;
}

const common = {
	name: line('Name', 100).min(1, 'Enter the name.'),
	isTest: z.boolean().default(false),
	/** '' = no second factor. */
	otpGeneratorId: singleLine('Authentication tokens')
		.default('')
		.refine(
			(v) => v === '' || UUID_PATTERN.test(v),
			'Choose the authentication tokens from the list.'
		),
	emailAttribute: line('E-mail attribute', 64)
		.min(1, 'Enter the attribute that holds the e-mail address.')
		.refine(
			(v) => v === '' || ATTRIBUTE_NAME.test(v),
			'An attribute name has letters, digits and hyphens, starting with a letter.'
		)
};

const local = z.object({ ...common, kind: z.literal('local') });

/** superforms passes a blank field of one union branch as undefined: `.prefault('')` parses it as ''. */
const ldap = z
	.object({
		...common,
		kind: z.literal('ldap'),
		url: line('URL', 300)
			.min(1, 'Enter the LDAP server URL.')
			.refine(
				(v) => v === '' || LDAP_URL.test(v),
				'Enter ldap://host[:port] or ldaps://host[:port], nothing after the port.'
			)
			.prefault(''),
		startTls: z.boolean().default(false),
		caPem: multiLine('CA certificate')
			.max(65_536, 'The CA certificate is too long (64 KB at most).')
			.default('')
			.refine(
				(v) => !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v),
				'This is a private key. Paste the CA certificate (-----BEGIN CERTIFICATE-----) instead.'
			)
			.refine(
				(v) => v.trim() === '' || PEM_CERTIFICATE.test(v),
				'Paste one or more PEM certificates, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.'
			),
		/** '' searches anonymously. */
		bindDn: line('Bind DN', 1024)
			.default('')
			.refine((v) => v === '' || v.includes('='), 'A DN looks like cn=reader,dc=example,dc=org.'),
		/** Blank keeps the stored password. Never trimmed. */
		bindPassword: secretText('Bind password', 1024).default(''),
		baseDn: line('Base DN', 1024)
			.min(1, 'Enter the base DN users are searched under.')
			.refine((v) => v === '' || v.includes('='), 'A DN looks like ou=people,dc=example,dc=org.')
			.prefault(''),
		userFilter: line('User filter', 1024)
			.min(1, 'Enter the user filter.')
			.refine((v) => v === '' || v.includes('{username}'), 'The filter must contain {username}.')
			.refine(
				(v) => v === '' || isBalancedFilter(v),
				'The filter must be one parenthesised LDAP filter, e.g. (uid={username}).'
			)
			.prefault(''),
		timeoutSeconds: strictNumber(
			z
				.number({ error: 'Enter the timeout in seconds (1-60).' })
				.int('The timeout is a whole number of seconds.')
				.min(1, 'The timeout is between 1 and 60 seconds.')
				.max(60, 'The timeout is between 1 and 60 seconds.')
		).default(10)
	})
	.superRefine((v, ctx) => {
		if (v.startTls && v.url.toLowerCase().startsWith('ldaps:'))
			ctx.addIssue({
				code: 'custom',
				path: ['startTls'],
				message: 'StartTLS is for ldap:// URLs; ldaps:// is encrypted from the start.'
			});
	});

export const domainSchema = z.discriminatedUnion('kind', [local, ldap], {
	error: 'Choose Local or LDAP.'
});

export type DomainForm = z.infer<typeof domainSchema>;
export type LdapDomainForm = Extract<DomainForm, { kind: 'ldap' }>;
export type DomainKind = (typeof DOMAIN_KINDS)[number];

/** "Test connection": bind, look this user up, show the attributes found. */
export const ldapTestSchema = z.object({
	username: line('Username', 256).min(1, 'Enter a username to look up.')
});

export type LdapTestRequest = z.infer<typeof ldapTestSchema>;
