/**
 * Every form's every field, posted as a browser posts it (FormData through superValidate): a control character
 * in any field, or a number that is not a plain whole number in range, is a field error on that field, never
 * a value that reaches the database or a silent coercion (`1e308` read as 1).
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { CONTROL_CHARACTER_MESSAGE } from './fields.js';
import { changePasswordSchema, forgotSchema, loginSchema, regenerateCodesSchema } from './auth.js';
import { setupSchema } from './setup.js';
import { applicationSchema } from './applications.js';
import { createUserSchema, editUserSchema, setUserPasswordSchema } from './users.js';
import {
	defaultRecipientsSchema,
	resetRequestSchema,
	resetWithLinkSchema,
	siteAccountsSchema,
	siteEmailsSchema
} from './site.js';
import {
	configurationTestSchema,
	smtpServerFormDefaults,
	smtpServerSchema
} from './smtp-server.js';
import { domainFormDefaults, domainSchema, ldapTestSchema } from './domains.js';
import {
	otpGeneratorFormDefaults,
	otpGeneratorSchema,
	otpGeneratorTestSchema
} from './otp-generators.js';
import { userSignInSchema } from './user-sign-in.js';
import { alertRuleSchema, alertTestSchema, alertTimingsSchema } from './alerts.js';
import { resetTotpSchema } from '../../routes/admin/users/reset-totp.js';

const PASSWORD = 'violet kettle drums at dawn';
const UUID = '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n';

interface Form {
	name: string;
	schema: z.ZodType;
	defaults?: Record<string, unknown>;
	/** A post that passes. */
	valid: Record<string, string>;
	/** Fields whose value is picked from a list (ids, choices, checkboxes): refused, with their own message. */
	picked?: string[];
	/** Number fields. */
	numbers?: string[];
}

const smtpCommon = {
	name: 'Relay',
	host: 'smtp.example.com',
	port: '587',
	security: 'starttls',
	fromAddress: 'noreply@example.com',
	fromName: 'Postern',
	caPem: PEM,
	timeoutSeconds: '15'
};

const FORMS: Form[] = [
	{
		name: 'alert timings',
		schema: alertTimingsSchema,
		valid: {
			healthIntervalMinutes: '5',
			repeatHours: '6',
			backlogThreshold: '100',
			backlogMinutes: '15'
		},
		numbers: ['healthIntervalMinutes', 'repeatHours', 'backlogThreshold', 'backlogMinutes']
	},
	{
		name: 'alert rule',
		schema: alertRuleSchema,
		valid: {
			type: 'smtp-failing',
			recipientsMode: 'custom',
			customRecipients: 'ops@example.com, noc@example.com'
		},
		picked: ['recipientsMode']
	},
	{ name: 'test alert', schema: alertTestSchema, valid: { type: 'smtp-failing' } },
	{ name: 'admin sign-in', schema: loginSchema, valid: { username: 'site-admin', password: 'x' } },
	{
		name: 'forgot password',
		schema: forgotSchema,
		valid: {
			username: 'site-admin',
			recoveryCode: 'ABCD-EFGH-JKMN-PQRS',
			newPassword: PASSWORD,
			confirm: PASSWORD
		}
	},
	{
		name: 'change password',
		schema: changePasswordSchema,
		valid: { currentPassword: 'old one', newPassword: PASSWORD, confirm: PASSWORD }
	},
	{ name: 'regenerate codes', schema: regenerateCodesSchema, valid: { currentPassword: 'x' } },
	{
		name: 'first-run setup',
		schema: setupSchema,
		valid: {
			adminUsername: 'site-admin',
			adminPassword: PASSWORD,
			adminConfirm: PASSWORD,
			supportUsername: 'support-desk',
			supportPassword: `${PASSWORD}!`,
			supportConfirm: `${PASSWORD}!`
		}
	},
	{
		name: 'application',
		schema: applicationSchema,
		valid: { name: 'Wiki', url: 'https://wiki.example.com', description: 'Team wiki\nand notes' }
	},
	{
		name: 'new local user',
		schema: createUserSchema,
		valid: {
			username: 'alice',
			displayName: 'Alice',
			email: 'alice@example.com',
			password: PASSWORD
		}
	},
	{
		name: 'edit local user',
		schema: editUserSchema,
		valid: { displayName: 'Alice', email: 'alice@example.com' }
	},
	{ name: 'set user password', schema: setUserPasswordSchema, valid: { password: PASSWORD } },
	{
		name: 'site e-mails',
		schema: siteEmailsSchema,
		valid: {
			adminEmail: 'admin@example.com',
			supportEmail: 'support@example.com',
			alertEmail: 'alert@example.com',
			currentPassword: 'x'
		}
	},
	{
		name: 'default recipients',
		schema: defaultRecipientsSchema,
		valid: { defaultRecipients: 'a@example.com, b@example.com' }
	},
	{
		name: 'site accounts',
		schema: siteAccountsSchema,
		valid: {
			adminUsername: 'site-admin',
			adminPassword: PASSWORD,
			adminConfirm: PASSWORD,
			supportUsername: 'support-desk',
			supportPassword: '',
			supportConfirm: '',
			currentPassword: 'x'
		}
	},
	{ name: 'reset link request', schema: resetRequestSchema, valid: { username: 'site-admin' } },
	{
		name: 'reset with link',
		schema: resetWithLinkSchema,
		valid: { newPassword: PASSWORD, confirm: PASSWORD }
	},
	{
		name: 'SMTP server without authentication',
		schema: smtpServerSchema,
		defaults: smtpServerFormDefaults,
		valid: { ...smtpCommon, auth: 'none' },
		picked: ['auth', 'security'],
		numbers: ['port', 'timeoutSeconds']
	},
	{
		name: 'SMTP server with username and password',
		schema: smtpServerSchema,
		defaults: smtpServerFormDefaults,
		valid: { ...smtpCommon, auth: 'basic', username: 'relay-user', password: 's3cret' },
		picked: ['auth', 'security'],
		numbers: ['port', 'timeoutSeconds']
	},
	{
		name: 'SMTP server with Microsoft 365',
		schema: smtpServerSchema,
		defaults: smtpServerFormDefaults,
		valid: {
			...smtpCommon,
			auth: 'microsoft',
			tenantId: UUID,
			clientId: '11111111-2222-3333-4444-555555555555',
			clientSecret: 'abc~secret-value',
			clientSecretExpiresOn: '2030-01-31',
			mailbox: 'mailer@example.com',
			cloud: 'global'
		},
		picked: ['auth', 'security', 'cloud', 'clientSecretExpiresOn', 'tenantId', 'clientId'],
		numbers: ['port', 'timeoutSeconds']
	},
	{
		name: 'SMTP configuration test',
		schema: configurationTestSchema,
		valid: { mode: 'send', to: 'someone@example.com' },
		picked: ['mode']
	},
	{
		name: 'local domain',
		schema: domainSchema,
		defaults: domainFormDefaults,
		valid: { kind: 'local', name: 'Staff', otpGeneratorId: UUID, emailAttribute: 'email' },
		picked: ['kind', 'otpGeneratorId']
	},
	{
		name: 'LDAP domain',
		schema: domainSchema,
		defaults: domainFormDefaults,
		valid: {
			kind: 'ldap',
			name: 'Directory',
			otpGeneratorId: '',
			emailAttribute: 'mail',
			url: 'ldaps://ldap.example.com:636',
			caPem: PEM,
			bindDn: 'cn=reader,dc=example,dc=org',
			bindPassword: 'bind secret',
			baseDn: 'ou=people,dc=example,dc=org',
			userFilter: '(uid={username})',
			timeoutSeconds: '10'
		},
		picked: ['kind', 'otpGeneratorId'],
		numbers: ['timeoutSeconds']
	},
	{ name: 'LDAP test', schema: ldapTestSchema, valid: { username: 'alice' } },
	{
		name: 'e-mail OTP generator',
		schema: otpGeneratorSchema,
		defaults: otpGeneratorFormDefaults,
		valid: {
			type: 'email',
			name: 'Mail codes',
			smtpServerId: UUID,
			sender: 'codes@example.com',
			codeLength: '6',
			validityMinutes: '5'
		},
		picked: ['type', 'smtpServerId'],
		numbers: ['codeLength', 'validityMinutes']
	},
	{
		name: 'TOTP generator',
		schema: otpGeneratorSchema,
		defaults: otpGeneratorFormDefaults,
		valid: {
			type: 'totp',
			name: 'Authenticator',
			issuer: 'Postern',
			smtpServerId: UUID,
			sender: 'keys@example.com',
			algorithm: 'sha1',
			digits: '6',
			period: '30'
		},
		picked: ['type', 'smtpServerId', 'algorithm'],
		numbers: ['digits', 'period']
	},
	{ name: 'OTP test', schema: otpGeneratorTestSchema, valid: { to: 'someone@example.com' } },
	{
		name: 'reset TOTP by username',
		schema: resetTotpSchema,
		valid: { domainId: UUID, username: 'alice' },
		picked: ['domainId']
	},
	{
		name: 'end-user sign-in',
		schema: userSignInSchema,
		valid: { domain: UUID, username: 'alice', password: 'x' },
		picked: ['domain']
	}
];

function post(fields: Record<string, string>) {
	const data = new FormData();
	for (const [name, value] of Object.entries(fields)) data.set(name, value);
	return data;
}

async function validate(form: Form, fields: Record<string, string>) {
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one adapter call for schemas of every shape
	const adapter = zod4(form.schema as any, form.defaults ? { defaults: form.defaults } : undefined);
	const result = await superValidate(post(fields), adapter);
	return { valid: result.valid, errors: result.errors as Record<string, unknown> };
}

/** A character in the middle of the value (or the whole value, when it is empty). */
const inject = (value: string, character: string) => value.slice(0, 1) + character + value.slice(1);

describe.each(FORMS)('$name', (form) => {
	it('accepts the valid post (the baseline the cases below change one field of)', async () => {
		const result = await validate(form, form.valid);
		expect(result.errors).toEqual({});
		expect(result.valid).toBe(true);
	});

	const fields = Object.keys(form.valid).filter((key) => !form.numbers?.includes(key));
	it.each(fields)('refuses a control character in %s as a field error', async (key) => {
		// U+2028 counts as white space to trim(): around an empty value it is trimmed away, nothing is stored
		const characters = form.valid[key] ? ['\u0000', '\u007f', '\u2028'] : ['\u0000', '\u007f'];
		for (const character of characters) {
			const result = await validate(form, {
				...form.valid,
				[key]: inject(form.valid[key], character)
			});
			expect(result.valid, key).toBe(false);
			const errors = result.errors[key] as string[] | undefined;
			if (form.picked?.includes(key)) expect(errors?.length, key).toBeGreaterThan(0);
			else expect(errors?.some(isControlCharacterMessage), `${key}: ${errors}`).toBe(true);
		}
	});

	it.each(form.numbers ?? [])('refuses %s unless it is a whole number in range', async (key) => {
		for (const posted of ['1e308', '-1', '1.5', '7abc', '99999']) {
			const result = await validate(form, { ...form.valid, [key]: posted });
			expect(result.valid, `${key}=${posted}`).toBe(false);
			expect(
				(result.errors[key] as string[] | undefined)?.length,
				`${key}=${posted}`
			).toBeGreaterThan(0);
		}
	});
});

/** The control-character message, whatever label it names. */
function isControlCharacterMessage(message: string) {
	const [before, after] = CONTROL_CHARACTER_MESSAGE('\u0001').split('\u0001');
	return message.startsWith(before) && message.endsWith(after);
}
