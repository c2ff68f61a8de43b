/**
 * The configuration test against real SMTP peers (smtp-server on loopback ports) and the mocked Microsoft
 * identity platform (msw). Each failure case asserts the diagnosis id, which the diagnosis table derives from
 * codes only.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
	createMicrosoftMockFetch,
	listMicrosoftRequests,
	resetMicrosoftMock,
	setMicrosoftScenario,
	type MicrosoftScenario
} from '../../../mocks/microsoft.js';
import {
	PEER_USER,
	startSmtpPeer,
	type PeerOptions,
	type SmtpPeer
} from '../testing/smtp-peers.js';
import { getTestCertificates } from '../testing/test-certs.js';
import { runConfigurationTest } from './config-test.js';
import { clearMicrosoftClients, useMicrosoftFetch } from './microsoft.js';
import type { ConfigurationTestResult, SmtpAuthSettings, SmtpServerSettings } from './types.js';

const mockFetch = createMicrosoftMockFetch({ unhandled: 'error' });
let lastTokenResponse: { access_token?: string } = {};
beforeAll(() =>
	useMicrosoftFetch(async (input, init) => {
		const response = await mockFetch(input, init);
		lastTokenResponse = await response.clone().json();
		return response;
	})
);
afterAll(() => useMicrosoftFetch());
beforeEach(() => {
	resetMicrosoftMock();
	clearMicrosoftClients();
});

let peers: SmtpPeer[] = [];
afterEach(async () => {
	await Promise.all(peers.map((p) => p.close()));
	peers = [];
});

async function peer(options: PeerOptions = {}) {
	const started = await startSmtpPeer(options);
	peers.push(started);
	return started;
}

const CA = getTestCertificates().ca;
const MAILBOX = 'alerts@contoso.com';
const TENANT = '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const basic: SmtpAuthSettings = {
	type: 'basic',
	username: PEER_USER.username,
	password: PEER_USER.password
};
const microsoft: SmtpAuthSettings = {
	type: 'microsoft',
	mailbox: MAILBOX,
	cloud: 'global',
	tenantId: TENANT,
	clientId: CLIENT,
	clientSecret: 'client~secret~value~0123456789abcdefghijk'
};

function settingsFor(
	target: { port: number },
	over: Partial<SmtpServerSettings> = {}
): SmtpServerSettings {
	return {
		name: 'Test relay',
		host: '127.0.0.1',
		port: target.port,
		security: 'none',
		auth: { type: 'none' },
		fromAddress: 'noreply@example.com',
		fromName: 'Postern',
		verifyTls: true,
		caPem: null,
		timeoutSeconds: 2,
		...over
	};
}

function send(settings: SmtpServerSettings) {
	return runConfigurationTest(settings, { mode: 'send', to: 'ops@example.com' });
}

function stepOf(result: ConfigurationTestResult, id: string) {
	return result.steps.find((s) => s.id === id);
}

function failedStep(result: ConfigurationTestResult) {
	return result.steps.find((s) => s.ok === false)?.id;
}

describe('configuration test: success', () => {
	it('sends the test e-mail through a plain server, timing each step', async () => {
		const sink = await peer();
		const result = await send(settingsFor(sink));
		expect(result.ok).toBe(true);
		expect(result.verdict).toBe('Test e-mail sent successfully');
		expect(result.diagnosis).toBeUndefined();
		expect(result.steps.map((s) => [s.id, s.ok])).toEqual([
			['dns', true],
			['tcp', true],
			['greeting', true],
			['tls', null],
			['auth', null],
			['send', true]
		]);
		for (const id of ['dns', 'tcp', 'greeting', 'send'])
			expect(stepOf(result, id)?.ms).toBeTypeOf('number');
		expect(sink.messages).toHaveLength(1);
		const [message] = sink.messages;
		expect(message.subject).toBe('Postern configuration test');
		expect(message.messageId).toBe(result.messageId);
		expect(message.envelopeTo).toEqual(['ops@example.com']);
		expect(message.raw).toMatch(/^Auto-Submitted: auto-generated/m);
		expect(
			result.transcript.some((l) => l.dir === 'client' && l.text.startsWith('MAIL FROM'))
		).toBe(true);
		expect(JSON.parse(JSON.stringify(result))).toEqual(result);
	});

	it('"Check connection" connects and signs in but sends nothing', async () => {
		const sink = await peer({ security: 'starttls', auth: 'basic' });
		const result = await runConfigurationTest(
			settingsFor(sink, { security: 'starttls', caPem: CA, auth: basic }),
			{ mode: 'verify' }
		);
		expect(result.ok).toBe(true);
		expect(result.verdict).toBe('Connection OK');
		expect(stepOf(result, 'auth')?.ok).toBe(true);
		expect(stepOf(result, 'send')?.ok).toBeNull();
		expect(sink.messages).toHaveLength(0);
		expect(sink.logins).toEqual([{ method: 'PLAIN', user: PEER_USER.username }]);
	});

	it('STARTTLS with the test CA: TLS after the greeting, certificate named', async () => {
		const sink = await peer({ security: 'starttls' });
		const result = await send(settingsFor(sink, { security: 'starttls', caPem: CA }));
		expect(result.ok).toBe(true);
		expect(result.steps.map((s) => s.id)).toEqual([
			'dns',
			'tcp',
			'greeting',
			'tls',
			'auth',
			'send'
		]);
		expect(stepOf(result, 'tls')).toMatchObject({ ok: true, label: 'TLS (STARTTLS)' });
		expect(stepOf(result, 'tls')?.detail).toContain('CN=localhost');
		expect(result.transcript.some((l) => l.dir === 'client' && l.text === 'STARTTLS')).toBe(true);
	});

	it('implicit TLS: TLS before the greeting', async () => {
		const sink = await peer({ security: 'tls', auth: 'basic' });
		const result = await send(settingsFor(sink, { security: 'tls', caPem: CA, auth: basic }));
		expect(result.ok).toBe(true);
		expect(result.steps.map((s) => [s.id, s.ok])).toEqual([
			['dns', true],
			['tcp', true],
			['tls', true],
			['greeting', true],
			['auth', true],
			['send', true]
		]);
		expect(sink.messages).toHaveLength(1);
	});

	it.each([['PLAIN' as const], ['LOGIN' as const]])('signs in with AUTH %s', async (method) => {
		const sink = await peer({ security: 'plain', auth: 'basic', authMethods: [method] });
		const result = await send(settingsFor(sink, { auth: basic }));
		expect(result.ok).toBe(true);
		expect(sink.logins).toEqual([{ method, user: PEER_USER.username }]);
		expect(stepOf(result, 'auth')?.detail).toContain(method);
	});

	it('sends without verifying when "Verify TLS certificate" is off', async () => {
		const sink = await peer({ security: 'starttls', certificate: 'expired' });
		const result = await send(settingsFor(sink, { security: 'starttls', verifyTls: false }));
		expect(result.ok).toBe(true);
		expect(stepOf(result, 'tls')?.detail).toContain('not verified');
	});

	it('resolves a host name in the DNS step', async () => {
		const sink = await peer();
		const result = await send(settingsFor(sink, { host: 'localhost' }));
		expect(result.ok).toBe(true);
		expect(stepOf(result, 'dns')?.detail).toMatch(/127\.0\.0\.1|::1/);
	});
});

describe('configuration test: connection failures', () => {
	it('host not found', async () => {
		const result = await send(settingsFor({ port: 25 }, { host: 'no-such-host.invalid' }));
		expect(result.ok).toBe(false);
		expect(result.diagnosis?.id).toBe('host-not-found');
		expect(result.diagnosis?.phase).toBe('dns');
		expect(failedStep(result)).toBe('dns');
		expect(result.verdict).toMatch(/^DNS lookup failed: /);
	});

	it('connection refused', async () => {
		const gone = await startSmtpPeer();
		await gone.close();
		const result = await send(settingsFor(gone));
		expect(result.diagnosis?.id).toBe('connection-refused');
		expect(failedStep(result)).toBe('tcp');
	});

	it('a server that never greets: timeout', async () => {
		const silent = await peer({ fault: 'no-greeting' });
		const result = await send(settingsFor(silent, { timeoutSeconds: 1 }));
		expect(result.diagnosis?.id).toBe('timeout');
		expect(result.diagnosis?.phase).toBe('connect');
		expect(failedStep(result)).toBe('greeting');
	});

	it('dropped on connect', async () => {
		const dropper = await peer({ fault: 'drop-on-connect' });
		const result = await send(settingsFor(dropper));
		expect(result.diagnosis?.id).toBe('connection-dropped');
		expect(failedStep(result)).toBe('greeting');
	});

	it('421 greeting', async () => {
		const busy = await peer({ fault: 'greeting-421' });
		const result = await send(settingsFor(busy));
		expect(result.diagnosis?.id).toBe('greeting-421');
		expect(failedStep(result)).toBe('greeting');
	});
});

describe('configuration test: TLS failures', () => {
	it('TLS spoken to a plain port', async () => {
		const plain = await peer({ security: 'plain' });
		const result = await send(settingsFor(plain, { security: 'tls' }));
		expect(result.diagnosis?.id).toBe('tls-to-plain-port');
		expect(failedStep(result)).toBe('tls');
	});

	it.each([['none' as const], ['starttls' as const]])(
		'plain SMTP (%s) spoken to an implicit-TLS port',
		async (security) => {
			const implicit = await peer({ security: 'tls' });
			const result = await send(settingsFor(implicit, { security, timeoutSeconds: 1 }));
			expect(result.diagnosis?.id).toBe('plain-to-tls-port');
			expect(result.diagnosis?.phase).toBe('tls');
		}
	);

	it.each([
		['starttls' as const, 'valid' as const, null, 'certificate-untrusted'],
		['tls' as const, 'valid' as const, null, 'certificate-untrusted'],
		['starttls' as const, 'expired' as const, CA, 'certificate-expired'],
		['tls' as const, 'expired' as const, CA, 'certificate-expired'],
		['starttls' as const, 'other-host' as const, CA, 'certificate-wrong-host'],
		['tls' as const, 'other-host' as const, CA, 'certificate-wrong-host']
	])('%s, %s certificate, CA %s: %s', async (security, certificate, caPem, id) => {
		const server = await peer({ security, certificate });
		const result = await send(settingsFor(server, { security, caPem }));
		expect(result.ok).toBe(false);
		expect(result.diagnosis?.id).toBe(id);
		expect(result.diagnosis?.phase).toBe('tls');
		expect(failedStep(result)).toBe('tls');
		expect(server.messages).toHaveLength(0);
	});

	it('names the certificate it got when the host name does not match', async () => {
		const server = await peer({ security: 'starttls', certificate: 'other-host' });
		const result = await send(settingsFor(server, { security: 'starttls', caPem: CA }));
		expect(result.diagnosis?.explanation).toContain('mail.other.example');
	});

	it('STARTTLS not offered: no credentials go out in clear', async () => {
		const plain = await peer({ security: 'plain', auth: 'basic' });
		const result = await send(settingsFor(plain, { security: 'starttls', auth: basic }));
		expect(result.diagnosis?.id).toBe('starttls-not-offered');
		expect(failedStep(result)).toBe('tls');
		expect(plain.logins).toHaveLength(0);
		expect(result.transcript.some((l) => l.text.startsWith('AUTH'))).toBe(false);
	});
});

describe('configuration test: authentication and sending failures', () => {
	it('wrong password: 535 5.7.8', async () => {
		const server = await peer({ security: 'plain', auth: 'basic' });
		const result = await send(
			settingsFor(server, { auth: { ...basic, password: 'not the password' } })
		);
		expect(result.diagnosis?.id).toBe('credentials-rejected');
		expect(result.diagnosis?.phase).toBe('auth');
		expect(failedStep(result)).toBe('auth');
	});

	it('535 5.7.139: SMTP AUTH disabled, with the Set-CASMailbox fix', async () => {
		const server = await peer({ security: 'plain', auth: 'basic', fault: 'auth-535-5.7.139' });
		const result = await send(settingsFor(server, { auth: basic }));
		expect(result.diagnosis?.id).toBe('smtp-auth-disabled');
		expect(result.diagnosis?.powershell).toContain(
			`Set-CASMailbox -Identity '${PEER_USER.username}' -SmtpClientAuthenticationDisabled $false`
		);
	});

	it.each([
		['auth-504-5.7.4' as const, 'auth-mechanism-unsupported'],
		['auth-550-5.7.30' as const, 'basic-auth-retired'],
		['auth-535-5.7.8' as const, 'credentials-rejected']
	])('%s: %s', async (fault, id) => {
		const server = await peer({ security: 'plain', auth: 'basic', fault });
		const result = await send(settingsFor(server, { auth: basic }));
		expect(result.diagnosis?.id).toBe(id);
		expect(failedStep(result)).toBe('auth');
	});

	it('sign-in sent to a server that wants STARTTLS first', async () => {
		const server = await peer({ security: 'starttls', auth: 'basic' });
		const result = await send(settingsFor(server, { security: 'none', auth: basic }));
		expect(result.diagnosis?.id).toBe('encryption-required');
	});

	it('authentication configured, server offers none', async () => {
		const server = await peer({ security: 'plain', auth: 'none' });
		const result = await send(settingsFor(server, { auth: basic }));
		expect(result.diagnosis?.id).toBe('auth-not-offered');
	});

	it.each([
		['mail-530-5.7.57' as const, 'not-authenticated'],
		['mail-550-5.7.60' as const, 'sendas-denied'],
		['rcpt-550-5.7.60' as const, 'sendas-denied'],
		['mail-432-4.3.2' as const, 'mailbox-concurrency']
	])('%s: %s', async (fault, id) => {
		const server = await peer({ fault });
		const result = await send(settingsFor(server));
		expect(result.diagnosis?.id).toBe(id);
		expect(failedStep(result)).toBe('send');
		expect(server.messages).toHaveLength(0);
	});
});

describe('configuration test: Microsoft 365', () => {
	async function exchange(options: PeerOptions = {}) {
		return peer({ security: 'starttls', auth: 'xoauth2', mailbox: MAILBOX, ...options });
	}
	const msSettings = (server: { port: number }, over: Partial<SmtpServerSettings> = {}) =>
		settingsFor(server, {
			security: 'starttls',
			caPem: CA,
			auth: microsoft,
			fromAddress: MAILBOX,
			...over
		});

	it('token, token check, XOAUTH2, send', async () => {
		const server = await exchange();
		const result = await send(msSettings(server));
		expect(result.ok).toBe(true);
		expect(result.steps.map((s) => [s.id, s.ok])).toEqual([
			['dns', true],
			['tcp', true],
			['greeting', true],
			['tls', true],
			['token', true],
			['claims', true],
			['auth', true],
			['send', true]
		]);
		expect(server.logins).toEqual([{ method: 'XOAUTH2', user: MAILBOX }]);
		expect(result.transcript).toContainEqual({ dir: 'client', text: 'AUTH XOAUTH2 [redacted]' });
		expect(listMicrosoftRequests().filter((r) => r.method === 'POST')).toHaveLength(1);
		expect(listMicrosoftRequests().every((r) => r.method === 'POST')).toBe(true);
	});

	it('asks for a fresh token on every test (a fix in Entra ID shows at once)', async () => {
		const server = await exchange();
		await send(msSettings(server));
		setMicrosoftScenario('no-role');
		const result = await send(msSettings(server));
		expect(result.diagnosis?.id).toBe('token-missing-role');
		expect(listMicrosoftRequests()).toHaveLength(2);
	});

	it.each([
		['invalid-secret', 'aadsts-invalid-client-secret'],
		['secret-expired', 'aadsts-client-secret-expired'],
		['app-not-found', 'aadsts-application-not-found'],
		['tenant-not-found', 'aadsts-tenant-not-found'],
		['invalid-scope', 'aadsts-invalid-scope'],
		['scope-not-default', 'aadsts-invalid-scope']
	] as [MicrosoftScenario, string][])('%s: %s', async (scenario, id) => {
		const server = await exchange();
		setMicrosoftScenario(scenario);
		const result = await send(msSettings(server));
		expect(result.ok).toBe(false);
		expect(result.diagnosis?.id).toBe(id);
		expect(result.diagnosis?.phase).toBe('token');
		expect(failedStep(result)).toBe('token');
		expect(stepOf(result, 'auth')?.ok).toBeNull();
		expect(server.logins).toHaveLength(0);
	});

	it.each([
		['no-role', 'token-missing-role'],
		['wrong-audience', 'token-wrong-audience']
	] as [MicrosoftScenario, string][])(
		'%s: %s, and the token is never sent',
		async (scenario, id) => {
			const server = await exchange();
			setMicrosoftScenario(scenario);
			const result = await send(msSettings(server));
			expect(result.diagnosis?.id).toBe(id);
			expect(stepOf(result, 'token')?.ok).toBe(true);
			expect(failedStep(result)).toBe('claims');
			expect(result.transcript.some((l) => l.text.startsWith('AUTH'))).toBe(false);
		}
	);

	it('a slow token endpoint: token-timeout', async () => {
		const server = await exchange();
		setMicrosoftScenario('slow', { delayMs: 2500 });
		const result = await send(msSettings(server, { timeoutSeconds: 1 }));
		expect(result.diagnosis?.id).toBe('token-timeout');
		expect(failedStep(result)).toBe('token');
	});

	it.each([['exchange' as const], ['sasl' as const]])(
		'the mailbox refuses the token (%s style): the PowerShell to fix it, with the values filled in',
		async (style) => {
			const server = await exchange({
				mailbox: 'someone-else@contoso.com',
				xoauth2Rejection: style
			});
			const result = await send(msSettings(server));
			expect(result.diagnosis?.id).toBe('xoauth2-rejected');
			expect(failedStep(result)).toBe('auth');
			expect(result.diagnosis?.powershell).toEqual([
				'Connect-ExchangeOnline',
				`New-ServicePrincipal -AppId '${CLIENT}' -ObjectId <Enterprise application Object ID>`,
				`Add-MailboxPermission -Identity '${MAILBOX}' -User <Enterprise application Object ID> -AccessRights FullAccess`,
				`Set-CASMailbox -Identity '${MAILBOX}' -SmtpClientAuthenticationDisabled $false`
			]);
		}
	);

	it('535 5.7.139 for a Microsoft mailbox names the mailbox', async () => {
		const server = await exchange({ fault: 'auth-535-5.7.139' });
		const result = await send(msSettings(server));
		expect(result.diagnosis?.id).toBe('smtp-auth-disabled');
		expect(result.diagnosis?.powershell).toContain(
			`Set-CASMailbox -Identity '${MAILBOX}' -SmtpClientAuthenticationDisabled $false`
		);
	});

	it('550 5.7.60 with another sender address: SendAs for the mailbox', async () => {
		const server = await exchange({ fault: 'mail-550-5.7.60' });
		const result = await send(msSettings(server, { fromAddress: 'ceo@contoso.com' }));
		expect(result.diagnosis?.id).toBe('sendas-denied');
		expect(result.diagnosis?.powershell).toContain(
			`Add-RecipientPermission -Identity 'ceo@contoso.com' -Trustee '${MAILBOX}' -AccessRights SendAs`
		);
	});

	it('a national cloud: the token comes from its own login host', async () => {
		const server = await exchange();
		const result = await send(msSettings(server, { auth: { ...microsoft, cloud: 'usgov' } }));
		// The peer plays Exchange Online (global): it refuses a GCC High token, after it was issued.
		expect(stepOf(result, 'token')?.ok).toBe(true);
		expect(listMicrosoftRequests()[0].host).toBe('login.microsoftonline.us');
		expect(result.diagnosis?.id).toBe('xoauth2-rejected');
		expect(result.diagnosis?.powershell?.[0]).toBe(
			'Connect-ExchangeOnline -ExchangeEnvironmentName O365USGovGCCHigh'
		);
	});
});

describe('configuration test: secrets never leave the server', () => {
	const MARKER_PASSWORD = 'MARKER-pw-7f3a9c-DO-NOT-LEAK';
	const MARKER_SECRET = 'MARKER~secret~b41d0e~DO~NOT~LEAK~0123';
	const forms = (secret: string) => [
		secret,
		Buffer.from(secret).toString('base64'),
		Buffer.from(`\u0000${PEER_USER.username}\u0000${secret}`).toString('base64')
	];

	function assertClean(result: ConfigurationTestResult, secrets: string[]) {
		const json = JSON.stringify(result);
		for (const secret of secrets) expect(json).not.toContain(secret);
	}

	it.each([['PLAIN' as const], ['LOGIN' as const]])(
		'a wrong basic password (AUTH %s) appears nowhere in the result',
		async (method) => {
			const server = await peer({ security: 'plain', auth: 'basic', authMethods: [method] });
			const result = await send(
				settingsFor(server, { auth: { ...basic, password: MARKER_PASSWORD } })
			);
			expect(result.diagnosis?.id).toBe('credentials-rejected');
			assertClean(result, forms(MARKER_PASSWORD));
			expect(
				result.transcript.filter((l) => l.dir === 'client' && l.text === '[redacted]').length
			).toBe(method === 'LOGIN' ? 2 : 0);
		}
	);

	it('a right password appears nowhere either', async () => {
		const server = await peer({ security: 'plain', auth: 'basic', authMethods: ['LOGIN'] });
		const result = await send(settingsFor(server, { auth: basic }));
		expect(result.ok).toBe(true);
		assertClean(result, forms(PEER_USER.password));
	});

	it('the client secret and the access token appear nowhere', async () => {
		const server = await peer({ security: 'starttls', auth: 'xoauth2', mailbox: MAILBOX });
		const result = await send(
			settingsFor(server, {
				security: 'starttls',
				caPem: CA,
				fromAddress: MAILBOX,
				auth: { ...microsoft, clientSecret: MARKER_SECRET }
			})
		);
		const token = lastTokenResponse.access_token ?? '';
		expect(result.ok).toBe(true);
		expect(token.length).toBeGreaterThan(100);
		assertClean(result, [...forms(MARKER_SECRET), token, token.split('.')[1]]);
	});

	it('a refused client secret appears nowhere', async () => {
		const server = await peer({ security: 'starttls', auth: 'xoauth2' });
		setMicrosoftScenario('invalid-secret');
		const result = await send(
			settingsFor(server, {
				security: 'starttls',
				caPem: CA,
				auth: { ...microsoft, clientSecret: MARKER_SECRET }
			})
		);
		expect(result.diagnosis?.id).toBe('aadsts-invalid-client-secret');
		assertClean(result, forms(MARKER_SECRET));
	});
});
