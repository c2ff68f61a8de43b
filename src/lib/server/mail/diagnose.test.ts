import { describe, expect, it } from 'vitest';
import {
	collectFailureFacts,
	describeFacts,
	diagnoseFailure,
	listDiagnosisIds,
	readEnhancedStatus,
	stepOfSendError,
	type DiagnosisContext,
	type FailureFacts
} from './diagnose.js';

const basic: DiagnosisContext = {
	host: 'smtp.example.com',
	port: 587,
	security: 'starttls',
	auth: 'basic',
	timeoutSeconds: 15,
	fromAddress: 'noreply@example.com',
	username: 'mailer@example.com'
};
const microsoft: DiagnosisContext = {
	host: 'smtp.office365.com',
	port: 587,
	security: 'starttls',
	auth: 'microsoft',
	timeoutSeconds: 15,
	fromAddress: 'alerts@contoso.com',
	mailbox: 'alerts@contoso.com',
	clientId: '11111111-2222-3333-4444-555555555555',
	tenantId: 'contoso.onmicrosoft.com',
	cloud: 'global'
};

describe('diagnoseFailure', () => {
	it.each([
		[{ step: 'tcp', code: 'EHOSTUNREACH' }, basic, 'host-unreachable', 'connect'],
		[
			{ step: 'tcp', code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT' },
			basic,
			'timeout',
			'connect'
		],
		[
			{ step: 'tls', code: 'ESOCKET', originalCode: 'ERR_SSL_SOMETHING_ELSE' },
			basic,
			'tls-handshake-failed',
			'tls'
		],
		[
			{ step: 'tls', code: 'ESOCKET', originalCode: 'SELF_SIGNED_CERT_IN_CHAIN' },
			basic,
			'certificate-untrusted',
			'tls'
		],
		[
			{ step: 'auth', code: 'EAUTH', responseCode: 535, enhancedStatus: '5.7.3' },
			basic,
			'credentials-rejected',
			'auth'
		],
		[
			{ step: 'auth', code: 'EAUTH', responseCode: 535, enhancedStatus: '5.7.3' },
			microsoft,
			'xoauth2-rejected',
			'auth'
		],
		[{ step: 'auth', code: 'EAUTH', responseCode: 451 }, basic, 'auth-failed', 'auth'],
		[
			{
				step: 'send',
				code: 'EENVELOPE',
				responseCode: 530,
				enhancedStatus: '5.7.11',
				command: 'MAIL FROM'
			},
			basic,
			'encryption-required',
			'auth'
		],
		[
			{
				step: 'send',
				code: 'EENVELOPE',
				responseCode: 550,
				enhancedStatus: '5.1.1',
				command: 'RCPT TO'
			},
			basic,
			'recipient-rejected',
			'send'
		],
		[
			{ step: 'send', code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM' },
			basic,
			'sender-rejected',
			'send'
		],
		[
			{
				step: 'send',
				code: 'EMESSAGE',
				responseCode: 554,
				enhancedStatus: '5.6.0',
				command: 'DATA'
			},
			basic,
			'message-rejected',
			'send'
		],
		[
			{
				step: 'send',
				code: 'EMESSAGE',
				responseCode: 451,
				enhancedStatus: '4.3.0',
				command: 'DATA'
			},
			basic,
			'send-deferred',
			'send'
		],
		[
			{
				step: 'send',
				code: 'EENVELOPE',
				responseCode: 550,
				enhancedStatus: '5.7.30',
				command: 'MAIL FROM'
			},
			basic,
			'basic-auth-retired',
			'auth'
		],
		[
			{ step: 'token', msalErrorCode: 'network_error' },
			microsoft,
			'token-endpoint-unreachable',
			'token'
		],
		[
			{ step: 'token', msalErrorCode: 'invalid_request', aadsts: 50059 },
			microsoft,
			'token-refused',
			'token'
		],
		[{ step: 'claims', claimsProblem: 'unreadable' }, microsoft, 'token-wrong-audience', 'token'],
		[
			{ step: 'greeting', code: 'EPROTOCOL', responseCode: 554 },
			basic,
			'unexpected-failure',
			'connect'
		]
	] as [FailureFacts, DiagnosisContext, string, string][])(
		'%j → %s',
		(facts, context, id, phase) => {
			const diagnosis = diagnoseFailure(facts, context);
			expect(diagnosis.id).toBe(id);
			expect(diagnosis.phase).toBe(phase);
			expect(diagnosis.title.length).toBeGreaterThan(10);
			expect(diagnosis.explanation.length).toBeGreaterThan(20);
			expect(diagnosis.fix.length).toBeGreaterThan(20);
		}
	);

	it('a 421 4.3.2 greeting (Exchange’s concurrent connection limit) is the concurrency diagnosis', () => {
		const diagnosis = diagnoseFailure(
			{
				step: 'greeting',
				code: 'EPROTOCOL',
				responseCode: 421,
				enhancedStatus: '4.3.2',
				command: 'CONN'
			},
			microsoft
		);
		expect(diagnosis.id).toBe('mailbox-concurrency');
	});

	it('432 without an enhanced status code is the concurrency diagnosis too', () => {
		expect(
			diagnoseFailure(
				{ step: 'send', code: 'EENVELOPE', responseCode: 432, command: 'MAIL FROM' },
				basic
			).id
		).toBe('mailbox-concurrency');
	});

	it('fills the PowerShell with the server’s values and quotes them', () => {
		const diagnosis = diagnoseFailure(
			{ step: 'auth', code: 'EAUTH', responseCode: 535, enhancedStatus: '5.7.139' },
			{ ...microsoft, mailbox: "o'brien@contoso.com", cloud: 'usgovdod' }
		);
		expect(diagnosis.powershell).toEqual([
			'Connect-ExchangeOnline -ExchangeEnvironmentName O365USGovDoD',
			"Set-CASMailbox -Identity 'o''brien@contoso.com' -SmtpClientAuthenticationDisabled $false"
		]);
	});

	it('leaves powershell out when a diagnosis has none (JSON stays plain)', () => {
		const diagnosis = diagnoseFailure({ step: 'dns', code: 'ENOTFOUND' }, basic);
		expect('powershell' in diagnosis).toBe(false);
	});

	it('knows every id it can give, each once', () => {
		const ids = listDiagnosisIds();
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids).toEqual(
			expect.arrayContaining([
				'host-not-found',
				'connection-refused',
				'timeout',
				'tls-to-plain-port',
				'plain-to-tls-port',
				'certificate-untrusted',
				'certificate-expired',
				'certificate-wrong-host',
				'starttls-not-offered',
				'not-authenticated',
				'credentials-rejected',
				'smtp-auth-disabled',
				'auth-mechanism-unsupported',
				'basic-auth-retired',
				'sendas-denied',
				'mailbox-concurrency',
				'greeting-421',
				'aadsts-invalid-client-secret',
				'aadsts-client-secret-expired',
				'aadsts-application-not-found',
				'aadsts-tenant-not-found',
				'aadsts-invalid-scope',
				'token-missing-role',
				'token-wrong-audience'
			])
		);
	});
});

describe('collectFailureFacts', () => {
	it('reads nodemailer’s codes, the reply code and the enhanced status code', () => {
		const error = Object.assign(
			new Error('Invalid login: 535 5.7.139 Authentication unsuccessful'),
			{
				code: 'EAUTH',
				command: 'AUTH PLAIN',
				responseCode: 535,
				response: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled'
			}
		);
		expect(collectFailureFacts(error, 'auth')).toMatchObject({
			step: 'auth',
			code: 'EAUTH',
			command: 'AUTH PLAIN',
			responseCode: 535,
			enhancedStatus: '5.7.139'
		});
	});

	it('reads msal’s AADSTS number', () => {
		const error = Object.assign(new Error('whatever'), {
			errorCode: 'invalid_client',
			errorNo: 7000215
		});
		expect(collectFailureFacts(error, 'token')).toMatchObject({
			msalErrorCode: 'invalid_client',
			aadsts: 7000215
		});
	});

	it('never reads message text: the same words without the codes diagnose nothing specific', () => {
		const words = new Error(
			'535 5.7.139 SmtpClientAuthentication is disabled; AADSTS7000215; certificate has expired; ENOTFOUND'
		);
		const diagnosis = diagnoseFailure(collectFailureFacts(words, 'auth'), basic);
		expect(diagnosis.id).toBe('auth-failed');
		const sameCodesOtherWords = Object.assign(new Error('Quelque chose a échoué'), {
			code: 'EAUTH',
			responseCode: 535,
			response: '535 5.7.139 Authentifizierung fehlgeschlagen'
		});
		expect(diagnoseFailure(collectFailureFacts(sameCodesOtherWords, 'auth'), basic).id).toBe(
			'smtp-auth-disabled'
		);
	});
});

describe('readEnhancedStatus', () => {
	it.each([
		['535 5.7.139 Authentication unsuccessful', '5.7.139'],
		['550-5.7.60 SMTP; Client does not have permissions', '5.7.60'],
		['432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded', '4.3.2'],
		['535 Error: authentication failed', undefined],
		['250 2.0.0 OK', '2.0.0'],
		['550 requested action 5.7.1 not taken', undefined]
	])('%s → %s', (reply, status) => {
		expect(readEnhancedStatus(reply)).toBe(status);
	});
});

describe('stepOfSendError', () => {
	it('reads the failed step of a production send from nodemailer codes and the command in flight', () => {
		const cases: [object, string][] = [
			[{ code: 'EDNS' }, 'dns'],
			[{ code: 'ECONNECTION', command: 'CONN', cause: { code: 'ECONNREFUSED' } }, 'tcp'],
			[{ code: 'ETIMEDOUT', command: 'GREETING' }, 'greeting'],
			[{ code: 'ETLS', command: 'STARTTLS' }, 'tls'],
			[{ code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' }, 'tls'],
			[{ code: 'EOAUTH2' }, 'token'],
			[{ code: 'EAUTH', command: 'AUTH PLAIN' }, 'auth'],
			[{ code: 'EENVELOPE', command: 'RCPT TO' }, 'send']
		];
		for (const [error, step] of cases)
			expect(stepOfSendError(error), JSON.stringify(error)).toBe(step);
	});

	it('describes a failure by its codes only', () => {
		expect(
			describeFacts({
				step: 'auth',
				responseCode: 535,
				enhancedStatus: '5.7.139',
				code: 'EAUTH'
			} as FailureFacts)
		).toBe('535 5.7.139 EAUTH');
	});
});
