import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import type { Database } from '../db/index.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import {
	PEER_USER,
	startSmtpPeer,
	type PeerOptions,
	type SmtpPeer
} from '../testing/smtp-peers.js';
import { getTestCertificates } from '../testing/test-certs.js';
import {
	createMicrosoftMockFetch,
	listMicrosoftRequests,
	resetMicrosoftMock
} from '../../../mocks/microsoft.js';
import { clearMicrosoftClients, useMicrosoftFetch } from './microsoft.js';
import { createSmtpServer, deleteSmtpServer, updateSmtpServer } from './servers.js';
import { classifySendFailure, sendMailWithServer } from './send.js';
import { closeAllTransports, countPooledTransports } from './transport.js';

let database: Database;
let peers: SmtpPeer[] = [];
beforeAll(() => useMicrosoftFetch(createMicrosoftMockFetch({ unhandled: 'error' })));
afterAll(() => useMicrosoftFetch());
beforeEach(async () => {
	database = await freshTestDatabase();
	resetMicrosoftMock();
	clearMicrosoftClients();
});
afterEach(async () => {
	await closeAllTransports();
	await Promise.all(peers.map((p) => p.close()));
	peers = [];
	await database.close();
});

const audit = { actor: 'alice' };
const MAILBOX = 'alerts@contoso.com';

async function peer(options: PeerOptions = {}) {
	const started = await startSmtpPeer(options);
	peers.push(started);
	return started;
}

function plainForm(target: SmtpPeer, over: Partial<SmtpServerForm> = {}): SmtpServerForm {
	return {
		auth: 'basic',
		name: 'Relay',
		host: '127.0.0.1',
		port: target.port,
		security: 'none',
		fromAddress: 'noreply@example.com',
		fromName: 'Postern alerts',
		verifyTls: true,
		caPem: '',
		timeoutSeconds: 5,
		username: PEER_USER.username,
		password: PEER_USER.password,
		...over
	} as SmtpServerForm;
}

async function create(form: SmtpServerForm) {
	const result = await createSmtpServer(form, audit);
	if (!result.ok) throw new Error(result.message);
	return result.server;
}

const message = (n = 1) => ({
	to: 'ops@example.com',
	subject: `Launch ${n}`,
	text: `Application launched (${n})`
});

describe('sendMailWithServer', () => {
	it('sends from the server’s sender, with a Message-ID', async () => {
		const sink = await peer({ auth: 'basic' });
		const server = await create(plainForm(sink));
		const sent = await sendMailWithServer(server.id, message());
		expect(sent.accepted).toEqual(['ops@example.com']);
		expect(sent.messageId).toMatch(/^<.+@example\.com>$/);
		const [received] = sink.messages;
		expect(received.from).toMatch(/^"?Postern alerts"? <noreply@example\.com>$/);
		expect(received.envelopeFrom).toBe('noreply@example.com');
		expect(received.messageId).toBe(sent.messageId);
		expect(received.user).toBe(PEER_USER.username);
	});

	it('keeps the caller’s Message-ID (the outbox’s idempotency key)', async () => {
		const sink = await peer();
		const server = await create(plainForm(sink, { auth: 'none' } as Partial<SmtpServerForm>));
		const sent = await sendMailWithServer(server.id, {
			...message(),
			messageId: '<outbox-42@postern.example>'
		});
		expect(sent.messageId).toBe('<outbox-42@postern.example>');
		expect(sink.messages[0].messageId).toBe('<outbox-42@postern.example>');
	});

	it('reuses pooled connections, at most 3 at once (Exchange’s limit)', async () => {
		const sink = await peer({ auth: 'basic' });
		const server = await create(plainForm(sink));
		for (let i = 0; i < 4; i++) await sendMailWithServer(server.id, message(i));
		expect(sink.connections()).toBe(1);
		await Promise.all(
			Array.from({ length: 12 }, (_, i) => sendMailWithServer(server.id, message(i)))
		);
		expect(sink.messages).toHaveLength(16);
		expect(sink.connections()).toBeLessThanOrEqual(3);
		expect(countPooledTransports()).toBe(1);
	});

	it('follows an edited server: the next message goes to the new destination', async () => {
		const first = await peer({ auth: 'basic' });
		const second = await peer({ auth: 'basic' });
		const server = await create(plainForm(first));
		await sendMailWithServer(server.id, message(1));
		const updated = await updateSmtpServer(server.id, plainForm(second), audit);
		expect(updated.ok).toBe(true);
		await sendMailWithServer(server.id, message(2));
		expect(first.messages.map((m) => m.subject)).toEqual(['Launch 1']);
		expect(second.messages.map((m) => m.subject)).toEqual(['Launch 2']);
		await expect.poll(() => first.openConnections(), { timeout: 3000 }).toBe(0);
	});

	it('refuses a deleted server and a line break in the subject', async () => {
		const sink = await peer({ auth: 'basic' });
		const server = await create(plainForm(sink));
		await expect(
			sendMailWithServer(server.id, { ...message(), subject: 'Hi\r\nBcc: victim@example.com' })
		).rejects.toMatchObject({ code: 'EMESSAGE' });
		expect(sink.connections()).toBe(0);
		await deleteSmtpServer(server.id, audit);
		await expect(sendMailWithServer(server.id, message())).rejects.toMatchObject({
			code: 'ENOSERVER'
		});
		await expect(sendMailWithServer('not-an-id', message())).rejects.toMatchObject({
			code: 'ENOSERVER'
		});
	});

	it('rejects with the server’s codes, which say retry or park', async () => {
		const denied = await peer({ fault: 'rcpt-550-5.7.60' });
		const busy = await peer({ fault: 'mail-432-4.3.2' });
		const none = { auth: 'none' } as Partial<SmtpServerForm>;
		const a = await create(plainForm(denied, { ...none, name: 'Denied' }));
		const b = await create(plainForm(busy, { ...none, name: 'Busy' }));
		const permanent = await sendMailWithServer(a.id, message()).catch((e: unknown) => e);
		expect(permanent).toMatchObject({ responseCode: 550 });
		expect(classifySendFailure(permanent)).toMatchObject({ transient: false, responseCode: 550 });
		const transient = await sendMailWithServer(b.id, message()).catch((e: unknown) => e);
		expect(classifySendFailure(transient)).toMatchObject({ transient: true, responseCode: 432 });
		expect(
			classifySendFailure(Object.assign(new Error('x'), { code: 'ECONNECTION' }))
		).toMatchObject({ transient: true, responseCode: null });
	});
});

describe('sendMailWithServer with Microsoft 365', () => {
	it('asks the token endpoint once per token lifetime, not once per message', async () => {
		const exchange = await peer({ security: 'starttls', auth: 'xoauth2', mailbox: MAILBOX });
		const server = await create({
			auth: 'microsoft',
			name: 'Microsoft 365',
			host: '127.0.0.1',
			port: exchange.port,
			security: 'starttls',
			fromAddress: MAILBOX,
			fromName: '',
			verifyTls: true,
			caPem: getTestCertificates().ca,
			timeoutSeconds: 5,
			tenantId: '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d',
			clientId: '11111111-2222-3333-4444-555555555555',
			clientSecret: 'client~secret~value~0123456789abcdefghijk',
			clientSecretExpiresOn: '',
			mailbox: MAILBOX,
			cloud: 'global'
		});
		for (let i = 0; i < 3; i++) await sendMailWithServer(server.id, message(i));
		await Promise.all([3, 4, 5, 6].map((i) => sendMailWithServer(server.id, message(i))));
		expect(exchange.messages).toHaveLength(7);
		expect(exchange.logins.every((l) => l.method === 'XOAUTH2' && l.user === MAILBOX)).toBe(true);
		expect(listMicrosoftRequests()).toHaveLength(1);

		// A changed record gets a new pool; the token still comes from msal's cache.
		const renamed = await updateSmtpServer(
			server.id,
			{
				auth: 'microsoft',
				name: 'Microsoft 365 (renamed)',
				host: '127.0.0.1',
				port: exchange.port,
				security: 'starttls',
				fromAddress: MAILBOX,
				fromName: '',
				verifyTls: true,
				caPem: getTestCertificates().ca,
				timeoutSeconds: 5,
				tenantId: '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d',
				clientId: '11111111-2222-3333-4444-555555555555',
				clientSecret: '',
				clientSecretExpiresOn: '',
				mailbox: MAILBOX,
				cloud: 'global'
			},
			audit
		);
		expect(renamed.ok).toBe(true);
		await sendMailWithServer(server.id, message(8));
		expect(exchange.messages).toHaveLength(8);
		expect(listMicrosoftRequests()).toHaveLength(1);
	});
});
