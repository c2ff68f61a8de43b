/**
 * Mock mode's route from Microsoft's SMTP hosts to the embedded sink: the site settings' Microsoft method
 * (fixed to smtp.office365.com:587) passes its configuration test against the sink, with the mocked identity
 * platform's token over XOAUTH2 and TLS verified against the host name smtp.office365.com; other hosts go
 * where they say, and without the router nothing is rerouted (production).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMicrosoftMockFetch, resetMicrosoftMock } from '../../../mocks/microsoft.js';
import { runConfigurationTest } from '../mail/config-test.js';
import { clearMicrosoftClients, useMicrosoftFetch } from '../mail/microsoft.js';
import { routeSmtp, useSmtpRouter } from '../mail/smtp-route.js';
import { createTransportOptions } from '../mail/transport.js';
import type { SmtpServerSettings } from '../mail/types.js';
import { startMailSink, type MailSink } from './mail-sink.js';
import { SINK_CERT, SINK_KEY } from './sink-cert.js';
import { MICROSOFT_SMTP_HOSTS, routeMicrosoftSmtpToSink } from './smtp-routes.js';

let sink: MailSink;
beforeAll(async () => {
	sink = await startMailSink({ key: SINK_KEY, cert: SINK_CERT });
	useMicrosoftFetch(createMicrosoftMockFetch({ unhandled: 'error' }));
	resetMicrosoftMock();
	clearMicrosoftClients();
});
afterEach(() => useSmtpRouter(null));
afterAll(async () => {
	useMicrosoftFetch();
	await sink.close();
});

const siteMicrosoft: SmtpServerSettings = {
	name: 'Site e-mail (Site settings)',
	host: 'smtp.office365.com',
	port: 587,
	security: 'starttls',
	auth: {
		type: 'microsoft',
		mailbox: 'notifications@contoso.com',
		cloud: 'global',
		tenantId: 'contoso.onmicrosoft.com',
		clientId: '0b5c4a31-7d1e-4c47-9e0c-2f3a8f6d1e42',
		clientSecret: 'mock-site-client-secret'
	},
	fromAddress: 'notifications@contoso.com',
	fromName: 'Postern',
	verifyTls: true,
	caPem: null,
	timeoutSeconds: 5
};

describe('mock mode SMTP routes', () => {
	it('cover every cloud’s SMTP host', () => {
		expect([...MICROSOFT_SMTP_HOSTS].sort()).toEqual([
			'outlook-dod.office365.us',
			'smtp.office365.com',
			'smtp.office365.us',
			'smtp.partner.outlook.cn'
		]);
	});

	it('without a router (production) every host goes where it says', () => {
		expect(routeSmtp('smtp.office365.com', 587)).toEqual({ host: 'smtp.office365.com', port: 587 });
		const options = createTransportOptions(siteMicrosoft);
		expect([options.host, options.port]).toEqual(['smtp.office365.com', 587]);
		expect(options.tls?.ca).toBeUndefined();
	});

	it('send Microsoft’s hosts to the sink, keeping the name for TLS, and leave other hosts alone', () => {
		routeMicrosoftSmtpToSink(sink.port, SINK_CERT);
		const options = createTransportOptions({ ...siteMicrosoft, host: 'SMTP.Office365.com' });
		expect([options.host, options.port]).toEqual(['127.0.0.1', sink.port]);
		expect(options.tls?.servername).toBe('SMTP.Office365.com');
		expect(options.tls?.ca).toContain(SINK_CERT);
		expect(routeSmtp('smtp.example.com', 25)).toEqual({ host: 'smtp.example.com', port: 25 });
	});

	it('let the site settings’ Microsoft method pass its test against the sink', async () => {
		routeMicrosoftSmtpToSink(sink.port, SINK_CERT);
		sink.clear();
		const result = await runConfigurationTest(siteMicrosoft, {
			mode: 'send',
			to: 'ops@contoso.com'
		});
		expect(result.diagnosis).toBeUndefined();
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
		expect(result.transcript.map((l) => l.text)).toContain(
			`Mock mode: smtp.office365.com:587 is answered by the embedded mail sink (127.0.0.1:${sink.port})`
		);
		const [message] = sink.messages();
		expect(message.envelopeTo).toEqual(['ops@contoso.com']);
		expect(message.authUser).toBe('notifications@contoso.com');
		expect(result.transcript).toContainEqual({ dir: 'client', text: 'AUTH XOAUTH2 [redacted]' });
	});
});
