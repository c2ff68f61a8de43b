import { describe, expect, it } from 'vitest';
import { superValidate } from 'sveltekit-superforms';
import { zod4, zod4Client } from 'sveltekit-superforms/adapters';
import {
	configurationTestSchema,
	smtpServerFormDefaults,
	smtpServerSchema,
	type SmtpServerForm
} from './smtp-server.js';

const adapter = zod4(smtpServerSchema, { defaults: smtpServerFormDefaults });

/** What the browser posts: every field of the form as text, checkboxes only when ticked. */
function post(fields: Record<string, string | undefined>) {
	const data = new FormData();
	for (const [name, value] of Object.entries(fields))
		if (value !== undefined) data.set(name, value);
	return data;
}

const common = {
	name: 'Relay',
	host: 'smtp.example.com',
	port: '587',
	security: 'starttls',
	fromAddress: 'noreply@example.com',
	fromName: 'Postern',
	verifyTls: 'on',
	caPem: '',
	timeoutSeconds: '15'
};
const TENANT = '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d';
const CLIENT = '11111111-2222-3333-4444-555555555555';

describe('SMTP server form through superValidate (FormData, as posted)', () => {
	it('starts a new form from the defaults (no auth, Unsecured, port 25)', async () => {
		const form = await superValidate(adapter);
		expect(form.valid).toBe(false);
		expect(form.data).toMatchObject({ auth: 'none', security: 'none', port: 25, verifyTls: true });
		expect(form.errors).toEqual({});
	});

	it('accepts the "none" branch and drops fields of other branches', async () => {
		const form = await superValidate(
			post({ ...common, auth: 'none', username: 'left over', password: 'left over' }),
			adapter
		);
		expect(form.valid).toBe(true);
		expect(form.data).toEqual({
			auth: 'none',
			name: 'Relay',
			host: 'smtp.example.com',
			port: 587,
			security: 'starttls',
			fromAddress: 'noreply@example.com',
			fromName: 'Postern',
			verifyTls: true,
			caPem: '',
			timeoutSeconds: 15,
			maxConnections: null,
			messagesPerMinute: null,
			recipientsPerDay: null
		});
	});

	it('reads an unticked "Verify TLS certificate" as false', async () => {
		const form = await superValidate(
			post({ ...common, verifyTls: undefined, auth: 'none' }),
			adapter
		);
		expect(form.valid).toBe(true);
		expect(form.data.verifyTls).toBe(false);
	});

	it('basic: requires the username, lets the password stay blank (keep the stored one)', async () => {
		const ok = await superValidate(
			post({ ...common, auth: 'basic', username: 'mailer', password: '' }),
			adapter
		);
		expect(ok.valid).toBe(true);
		expect(ok.data).toMatchObject({ auth: 'basic', username: 'mailer', password: '' });

		const missing = await superValidate(
			post({ ...common, auth: 'basic', username: '', password: 'x' }),
			adapter
		);
		expect(missing.valid).toBe(false);
		expect(Object.keys(missing.errors)).toEqual(['username']);
	});

	it('microsoft: validates tenant, client, mailbox and only those', async () => {
		const ok = await superValidate(
			post({
				...common,
				host: 'smtp.office365.com',
				auth: 'microsoft',
				tenantId: TENANT,
				clientId: CLIENT,
				clientSecret: 'abc~defGHIjklMNOpqrSTUvwxYZ0123456789abcd',
				clientSecretExpiresOn: '2027-05-01',
				mailbox: 'alerts@contoso.com',
				cloud: 'usgov',
				username: 'ignored'
			}),
			adapter
		);
		expect(ok.valid).toBe(true);
		expect(ok.data).toMatchObject({ auth: 'microsoft', cloud: 'usgov', tenantId: TENANT });
		expect('username' in ok.data).toBe(false);

		const bad = await superValidate(
			post({
				...common,
				auth: 'microsoft',
				tenantId: 'common',
				clientId: 'not-a-guid',
				clientSecret: '',
				mailbox: 'nobody',
				cloud: 'global'
			}),
			adapter
		);
		expect(bad.valid).toBe(false);
		expect(Object.keys(bad.errors).sort()).toEqual(['clientId', 'mailbox', 'tenantId']);
	});

	it('microsoft: empty required fields, as the browser posts them, get plain messages', async () => {
		const empty = await superValidate(
			post({
				...common,
				auth: 'microsoft',
				tenantId: '',
				clientId: '',
				clientSecret: '',
				clientSecretExpiresOn: '',
				mailbox: '',
				cloud: 'global'
			}),
			adapter
		);
		expect(empty.valid).toBe(false);
		expect(empty.errors).toMatchObject({
			tenantId: ['Enter the tenant ID (Directory ID).'],
			clientId: ['Enter the client ID (Application ID).']
		});
		expect(JSON.stringify(empty.errors)).not.toContain('expected string');
	});

	it('microsoft: a tenant may be a domain name; a GUID pasted as the secret is its ID, refused', async () => {
		const form = await superValidate(
			post({
				...common,
				auth: 'microsoft',
				tenantId: 'contoso.onmicrosoft.com',
				clientId: CLIENT,
				clientSecret: '0f8fad5b-d9cb-469f-a165-70867728950e',
				mailbox: 'alerts@contoso.com',
				cloud: 'global'
			}),
			adapter
		);
		expect(form.valid).toBe(false);
		expect(Object.keys(form.errors)).toEqual(['clientSecret']);
	});

	it('refuses an unknown authentication choice', async () => {
		const form = await superValidate(post({ ...common, auth: 'kerberos' }), adapter);
		expect(form.valid).toBe(false);
		expect(form.errors.auth).toBeTruthy();
	});

	it('the client adapter gives the same verdicts', async () => {
		const client = zod4Client(smtpServerSchema);
		const good = await client.validate({
			...smtpServerFormDefaults,
			name: 'Relay',
			host: '10.0.0.25',
			fromAddress: 'noreply@example.com'
		});
		expect(good.success).toBe(true);
		const bad = await client.validate({ ...smtpServerFormDefaults, name: 'Relay', host: 'a b' });
		expect(bad.success).toBe(false);
	});
});

describe('SMTP server field rules', () => {
	const base: SmtpServerForm = {
		auth: 'none',
		name: 'Relay',
		host: 'smtp.example.com',
		port: 25,
		security: 'none',
		fromAddress: 'noreply@example.com',
		fromName: '',
		verifyTls: true,
		caPem: '',
		timeoutSeconds: 15
	};
	const issuesOf = (value: unknown) => {
		const r = smtpServerSchema.safeParse(value);
		return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
	};

	it.each([
		['smtp.example.com'],
		['localhost'],
		['127.0.0.1'],
		['::1'],
		['mail-01.internal.example']
	])('accepts the host %s', (host) => {
		expect(issuesOf({ ...base, host })).toEqual([]);
	});

	it.each([
		['smtp://smtp.example.com'],
		['smtp.example.com:587'],
		['smtp example.com'],
		['-bad.example.com'],
		['']
	])('refuses the host %j', (host) => {
		expect(issuesOf({ ...base, host })).toEqual(['host']);
	});

	it('refuses ports and timeouts out of range', () => {
		expect(issuesOf({ ...base, port: 0 })).toEqual(['port']);
		expect(issuesOf({ ...base, port: 65536 })).toEqual(['port']);
		expect(issuesOf({ ...base, timeoutSeconds: 0 })).toEqual(['timeoutSeconds']);
		expect(issuesOf({ ...base, timeoutSeconds: 121 })).toEqual(['timeoutSeconds']);
		expect(issuesOf({ ...base, security: 'ssl' })).toEqual(['security']);
	});

	it('takes delivery limits as whole numbers in range, or blank for the host default', async () => {
		expect(
			issuesOf({ ...base, maxConnections: 5, messagesPerMinute: 30, recipientsPerDay: 10_000 })
		).toEqual([]);
		expect(smtpServerSchema.parse({ ...base, maxConnections: '' }).maxConnections).toBeNull();
		expect(smtpServerSchema.parse({ ...base, maxConnections: '4' }).maxConnections).toBe(4);
		expect(issuesOf({ ...base, maxConnections: 0 })).toEqual(['maxConnections']);
		expect(issuesOf({ ...base, maxConnections: 51 })).toEqual(['maxConnections']);
		expect(issuesOf({ ...base, messagesPerMinute: 2.5 })).toEqual(['messagesPerMinute']);
		expect(issuesOf({ ...base, recipientsPerDay: '1e9' })).toEqual(['recipientsPerDay']);
		const form = await superValidate(
			post({
				...common,
				auth: 'none',
				maxConnections: '0',
				messagesPerMinute: '',
				recipientsPerDay: '500'
			}),
			adapter
		);
		expect(form.errors.maxConnections?.[0]).toBe(
			"Max connections is between 1 and 50, or blank for the host's default."
		);
		const valid = await superValidate(
			post({ ...common, auth: 'none', maxConnections: '', recipientsPerDay: '500' }),
			adapter
		);
		expect(valid.valid).toBe(true);
		expect(valid.data).toMatchObject({
			maxConnections: null,
			messagesPerMinute: null,
			recipientsPerDay: 500
		});
	});

	it('refuses CR and LF in every name and address field (header injection)', () => {
		const injected = 'x\r\nBcc: victim@example.com';
		expect(issuesOf({ ...base, name: `Relay${injected}` })).toEqual(['name']);
		expect(issuesOf({ ...base, fromName: `Postern${injected}` })).toEqual(['fromName']);
		expect(issuesOf({ ...base, fromAddress: `a@example.com${injected}` })).toEqual(['fromAddress']);
		expect(issuesOf({ ...base, auth: 'basic', username: `u${injected}`, password: 'p' })).toEqual([
			'username'
		]);
		expect(
			issuesOf({
				...base,
				auth: 'microsoft',
				tenantId: TENANT,
				clientId: CLIENT,
				clientSecret: 's',
				mailbox: `m@example.com${injected}`
			})
		).toEqual(['mailbox']);
	});

	it('accepts a PEM certificate chain and refuses anything else, a private key first of all', () => {
		const cert = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
		expect(issuesOf({ ...base, caPem: cert + cert })).toEqual([]);
		expect(issuesOf({ ...base, caPem: 'hello' })).toEqual(['caPem']);
		const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
		const r = smtpServerSchema.safeParse({ ...base, caPem: key });
		expect(r.success).toBe(false);
		expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('caPem');
	});

	it('refuses an expiry that is not a date', () => {
		expect(
			issuesOf({
				...base,
				auth: 'microsoft',
				tenantId: TENANT,
				clientId: CLIENT,
				clientSecret: '',
				mailbox: 'm@example.com',
				clientSecretExpiresOn: '31/12/2027'
			})
		).toEqual(['clientSecretExpiresOn']);
	});
});

describe('configuration test request', () => {
	it('needs a destination to send, not to check the connection', () => {
		expect(configurationTestSchema.safeParse({ mode: 'verify', to: '' }).success).toBe(true);
		const send = configurationTestSchema.safeParse({ mode: 'send', to: '' });
		expect(send.success).toBe(false);
		expect(send.error?.issues[0].path).toEqual(['to']);
		expect(configurationTestSchema.safeParse({ mode: 'send', to: 'ops@example.com' }).success).toBe(
			true
		);
	});

	it('refuses a destination with a line break and an unknown mode', () => {
		expect(
			configurationTestSchema.safeParse({ mode: 'send', to: 'a@example.com\nBcc: b@example.com' })
				.success
		).toBe(false);
		expect(configurationTestSchema.safeParse({ mode: 'spam', to: 'a@example.com' }).success).toBe(
			false
		);
	});

	it('works through superValidate with FormData', async () => {
		const form = await superValidate(
			post({ mode: 'send', to: 'ops@example.com' }),
			zod4(configurationTestSchema)
		);
		expect(form.valid).toBe(true);
		expect(form.data).toEqual({ mode: 'send', to: 'ops@example.com' });
	});
});
