import { afterEach, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import {
	closeAllTransports,
	closeServerTransport,
	countPooledTransports,
	createTransportOptions,
	getPooledTransport
} from './transport.js';
import type { SmtpServerSettings } from './types.js';
import { startSmtpPeer } from '../testing/smtp-peers.js';

const base: SmtpServerSettings = {
	id: '00000000-0000-4000-8000-000000000001',
	name: 'Relay',
	host: 'smtp.example.com',
	port: 587,
	security: 'starttls',
	auth: { type: 'basic', username: 'mailer', password: 'pw' },
	fromAddress: 'noreply@example.com',
	fromName: null,
	verifyTls: true,
	caPem: null,
	timeoutSeconds: 15
};

afterEach(async () => {
	await closeAllTransports();
});

describe('createTransportOptions', () => {
	it.each([
		['none' as const, { secure: false, requireTLS: false, ignoreTLS: true }],
		['starttls' as const, { secure: false, requireTLS: true, ignoreTLS: false }],
		['tls' as const, { secure: true, requireTLS: false, ignoreTLS: false }]
	])('connection type %s', (security, expected) => {
		expect(createTransportOptions({ ...base, security })).toMatchObject(expected);
	});

	it('verifies certificates, names the server for SNI, adds a CA to the system roots', () => {
		const options = createTransportOptions({ ...base, caPem: 'PEM' });
		expect(options.tls).toMatchObject({ rejectUnauthorized: true, servername: 'smtp.example.com' });
		expect(options.tls?.ca).toEqual([...tls.rootCertificates, 'PEM']);
		const ip = createTransportOptions({ ...base, host: '10.0.0.25', verifyTls: false });
		expect(ip.tls).toEqual({ rejectUnauthorized: false });
	});

	it('derives the timeouts from the server’s timeout', () => {
		expect(createTransportOptions({ ...base, timeoutSeconds: 5 })).toMatchObject({
			connectionTimeout: 5000,
			greetingTimeout: 5000,
			dnsTimeout: 5000,
			socketTimeout: 60_000
		});
		expect(createTransportOptions({ ...base, timeoutSeconds: 120 }).socketTimeout).toBe(480_000);
	});

	it('signs in with the username and password, and insists on it', () => {
		expect(createTransportOptions(base)).toMatchObject({
			auth: { user: 'mailer', pass: 'pw' },
			forceAuth: true
		});
		expect(createTransportOptions({ ...base, auth: { type: 'none' } })).toMatchObject({
			auth: undefined,
			forceAuth: false
		});
	});

	it('uses XOAUTH2 for the mailbox with a token provisioning callback', () => {
		const options = createTransportOptions({
			...base,
			auth: {
				type: 'microsoft',
				mailbox: 'alerts@contoso.com',
				cloud: 'global',
				tenantId: 't',
				clientId: 'c',
				clientSecret: 's'
			}
		});
		const auth = options.auth as { type: string; user: string; provisionCallback: unknown };
		expect(auth.type).toBe('OAuth2');
		expect(auth.user).toBe('alerts@contoso.com');
		expect(typeof auth.provisionCallback).toBe('function');
		expect(JSON.stringify(options)).not.toContain('"s"');
	});

	it('never lets a message read files or URLs', () => {
		expect(createTransportOptions(base)).toMatchObject({
			disableFileAccess: true,
			disableUrlAccess: true,
			logger: false,
			transactionLog: false
		});
	});
});

describe('pooled transports', () => {
	it('builds one pool per server and version, and a new one when the record changes', async () => {
		const peer = await startSmtpPeer();
		const settings: SmtpServerSettings = {
			...base,
			host: '127.0.0.1',
			port: peer.port,
			security: 'none',
			auth: { type: 'none' }
		};
		let loads = 0;
		const load = async () => {
			loads++;
			return settings;
		};
		const v1 = new Date('2026-01-01T00:00:00Z');
		const first = await getPooledTransport(settings.id!, v1, load);
		expect(await getPooledTransport(settings.id!, v1, load)).toBe(first);
		expect(loads).toBe(1);
		const second = await getPooledTransport(settings.id!, new Date('2026-01-02T00:00:00Z'), load);
		expect(second).not.toBe(first);
		expect(loads).toBe(2);
		// A caller that read the older version meanwhile gets the newer pool.
		expect(await getPooledTransport(settings.id!, v1, load)).toBe(second);
		expect(countPooledTransports()).toBe(1);
		await closeServerTransport(settings.id!);
		expect(countPooledTransports()).toBe(0);
		await peer.close();
	});

	it('keeps no pool for a server that does not exist', async () => {
		expect(await getPooledTransport(base.id!, new Date(), async () => null)).toBeNull();
		expect(countPooledTransports()).toBe(0);
	});
});
