/**
 * The SMTP server form (/admin/smtp-servers, and the site's SMTP section) and the configuration-test request,
 * shared by the browser (zod4Client) and the server (superValidate + zod4). Field names follow the vendor's
 * documents: Display name, Server, Port, Connection type, Username, Password; for Microsoft 365: Tenant ID,
 * Client ID, Client secret (+ its expiry), Mailbox, Cloud; Sender address and name; Verify TLS certificate, CA
 * certificate, Timeout.
 *
 * Authentication is a discriminated union on `auth`, so each choice validates only its own fields. Secrets are
 * optional here: a blank one means "keep the stored value", which the server allows only while the secret's
 * destination is unchanged (mail/secret-reuse.ts).
 *
 * superforms builds a form's initial data from the schema; for a union it cannot know which branch to start
 * from, so load functions pass `smtpServerFormDefaults`, as in
 * `superValidate(zod4(smtpServerSchema, { defaults: smtpServerFormDefaults }))`. The defaults carry every
 * branch's fields, so switching the authentication choice in the browser never binds to a missing key.
 */
import { z } from 'zod';
import {
	AUTH_CHOICES,
	CLOUD_CHOICES,
	DEFAULT_PORTS,
	GRAPH_PRESET,
	LIMIT_MAXIMA,
	SECURITY_CHOICES
} from '../choices/smtp-server.js';
import {
	inSentence,
	multiLine,
	secretText,
	singleLine,
	strictNumber,
	UUID_PATTERN
} from './fields.js';

export {
	SECURITY_CHOICES,
	AUTH_CHOICES,
	CLOUD_CHOICES,
	SECURITY_LABELS,
	AUTH_LABELS,
	CLOUD_LABELS,
	MICROSOFT_SMTP_HOSTS,
	DEFAULT_PORTS,
	MICROSOFT_PRESET,
	GRAPH_PRESET,
	MICROSOFT_APP_AUTHS,
	usesMicrosoftApp,
	LIMIT_MAXIMA
} from '../choices/smtp-server.js';

const HOST_NAME =
	/^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const DOMAIN_NAME =
	/^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const PEM_CERTIFICATE =
	/^\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Tenant aliases that name no tenant: the client-credentials grant needs the tenant itself. */
const MULTI_TENANT_ALIASES = ['common', 'organizations', 'consumers'];

/**
 * A one-line text field (fields.ts singleLine: trimmed, no CR/LF, no control character). A field missing from
 * the post (superforms reads an empty field of a union's branch as absent) gets the same plain message as an
 * empty one.
 */
function line(label: string, max: number, missing = `Enter the ${inSentence(label)}.`) {
	return singleLine(label, missing).max(max, `${label} must be at most ${max} characters.`);
}

function required(label: string, max: number, what = inSentence(label)) {
	return line(label, max, `Enter the ${what}.`).min(1, `Enter the ${what}.`);
}

function emailAddress(label: string) {
	return required(label, 254).pipe(z.email(`${label} is not an e-mail address.`));
}

const host = required('Server', 253, 'server (host name or IP address)').refine(
	(v) =>
		v === '' || HOST_NAME.test(v) || z.ipv4().safeParse(v).success || z.ipv6().safeParse(v).success,
	'Enter a host name or an IP address only: no http://, no port, no spaces.'
);

/** A secret as typed: blank keeps the stored value (when allowed). Never trimmed; no control character. */
const secret = (label: string) => secretText(label, 1024).default('');

const caPem = multiLine('CA certificate')
	.max(65_536, 'The CA certificate is too long (64 KB at most).')
	.default('')
	.refine((v) => !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v), {
		message:
			'This is a private key. Paste the CA certificate (-----BEGIN CERTIFICATE-----) instead.'
	})
	.refine((v) => v.trim() === '' || PEM_CERTIFICATE.test(v), {
		message:
			'Paste one or more PEM certificates, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.'
	});

/**
 * A delivery limit: a whole number within the database's bounds, or blank (null) for the host's default
 * (mail/limits.ts: Microsoft 365 hosts 3 connections, 30 a minute, 10,000 recipients a day; others 3
 * connections and no rate).
 */
function limit(label: string, max: number) {
	const range = `${label} is between 1 and ${max.toLocaleString('en-US')}, or blank for the host's default.`;
	return z
		.preprocess(
			(value) =>
				value === undefined || value === null || String(value).trim() === '' ? null : value,
			strictNumber(
				z.number({ error: range }).int(`${label} is a whole number.`).min(1, range).max(max, range)
			).nullable()
		)
		.optional();
}

const common = {
	name: required('Display name', 100),
	host,
	port: strictNumber(
		z
			.number({ error: 'Enter the port (1-65535).' })
			.int('The port is a whole number.')
			.min(1, 'The port is between 1 and 65535.')
			.max(65535, 'The port is between 1 and 65535.')
	),
	security: z.enum(SECURITY_CHOICES, { error: 'Choose the connection type.' }),
	fromAddress: emailAddress('Sender address'),
	fromName: line('Sender name', 128).default(''),
	verifyTls: z.boolean().default(true),
	caPem,
	timeoutSeconds: strictNumber(
		z
			.number({ error: 'Enter the timeout in seconds (1-120).' })
			.int('The timeout is a whole number of seconds.')
			.min(1, 'The timeout is between 1 and 120 seconds.')
			.max(120, 'The timeout is between 1 and 120 seconds.')
	).default(15),
	maxConnections: limit('Max connections', LIMIT_MAXIMA.maxConnections),
	messagesPerMinute: limit('Messages per minute', LIMIT_MAXIMA.messagesPerMinute),
	recipientsPerDay: limit('Recipients per day', LIMIT_MAXIMA.recipientsPerDay)
};

const noAuth = z.object({ ...common, auth: z.literal('none') });

const basicAuth = z.object({
	...common,
	auth: z.literal('basic'),
	username: required('Username', 256),
	password: secret('Password')
});

/** An Entra ID application: what both Microsoft choices (SMTP XOAUTH2, Graph sendMail) sign in with. */
const microsoftApp = {
	tenantId: required('Tenant ID', 253, 'tenant ID (Directory ID)')
		.refine((v) => !MULTI_TENANT_ALIASES.includes(v.toLowerCase()), {
			message: 'Use your own tenant ID: "common", "organizations" and "consumers" name no tenant.'
		})
		.refine((v) => v === '' || UUID_PATTERN.test(v) || DOMAIN_NAME.test(v), {
			message: 'The tenant ID is a GUID (Directory ID) or a domain such as contoso.onmicrosoft.com.'
		}),
	clientId: required('Client ID', 36, 'client ID (Application ID)').refine(
		(v) => v === '' || UUID_PATTERN.test(v),
		'The client ID is a GUID such as 11111111-2222-3333-4444-555555555555.'
	),
	clientSecret: secret('Client secret').refine((v) => !UUID_PATTERN.test(v.trim()), {
		message:
			'This is the secret’s ID. Copy the secret’s Value column instead (it is shown once, when the secret is created).'
	}),
	clientSecretExpiresOn: singleLine('Expiry date')
		.default('')
		.refine((v) => v === '' || (ISO_DATE.test(v) && !Number.isNaN(Date.parse(v))), {
			message: 'Enter the expiry date as YYYY-MM-DD.'
		}),
	mailbox: emailAddress('Mailbox'),
	cloud: z.enum(CLOUD_CHOICES).default('global')
};

const microsoftAuth = z.object({ ...common, auth: z.literal('microsoft'), ...microsoftApp });

/**
 * Microsoft Graph: no SMTP host, port or connection type to enter. The server sets them from the cloud (its
 * Graph host, 443, TLS), whatever was posted; TLS is always verified.
 */
const graphAuth = z.object({
	...common,
	host: z.string().optional().default(''),
	port: z
		.unknown()
		.optional()
		.transform(() => GRAPH_PRESET.port),
	security: z
		.unknown()
		.optional()
		.transform(() => GRAPH_PRESET.security),
	verifyTls: z
		.unknown()
		.optional()
		.transform(() => true),
	caPem: z
		.unknown()
		.optional()
		.transform(() => ''),
	auth: z.literal('graph'),
	...microsoftApp
});

export const smtpServerSchema = z.discriminatedUnion(
	'auth',
	[noAuth, basicAuth, microsoftAuth, graphAuth],
	{ error: 'Choose the authentication.' }
);

export type SmtpServerForm = z.infer<typeof smtpServerSchema>;
export type SmtpServerFormInput = z.input<typeof smtpServerSchema>;
export type SmtpSecurity = (typeof SECURITY_CHOICES)[number];
export type SmtpAuthKind = (typeof AUTH_CHOICES)[number];
export type MicrosoftCloud = (typeof CLOUD_CHOICES)[number];

/** Every field of every branch, blank: what a new server's form starts from (Unsecured, port 25, no auth). */
export const smtpServerFormDefaults = {
	auth: 'none',
	name: '',
	host: '',
	port: DEFAULT_PORTS.none,
	security: 'none',
	fromAddress: '',
	fromName: '',
	verifyTls: true,
	caPem: '',
	timeoutSeconds: 15,
	maxConnections: null,
	messagesPerMinute: null,
	recipientsPerDay: null,
	username: '',
	password: '',
	tenantId: '',
	clientId: '',
	clientSecret: '',
	clientSecretExpiresOn: '',
	mailbox: '',
	cloud: 'global'
} as SmtpServerForm;

/** "Configuration test": check the connection only, or also send a test e-mail to `to`. */
export const configurationTestSchema = z
	.object({
		mode: z.enum(['verify', 'send'], { error: 'Choose what to test.' }).default('send'),
		to: line('Destination address', 254)
			.default('')
			.refine((v) => v === '' || z.email().safeParse(v).success, {
				message: 'Destination address is not an e-mail address.'
			})
	})
	.superRefine((v, ctx) => {
		if (v.mode === 'send' && v.to === '')
			ctx.addIssue({
				code: 'custom',
				path: ['to'],
				message: 'Enter the address the test e-mail goes to.'
			});
	});

export type ConfigurationTestRequest = z.infer<typeof configurationTestSchema>;
