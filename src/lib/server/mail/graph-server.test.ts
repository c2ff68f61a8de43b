/**
 * A server whose transport is Microsoft Graph, end to end against the mocked identity platform and Graph
 * (real msal-node, real fetch, real PGlite, the real outbox worker): saved from the form (its host set from
 * the cloud), its configuration test (token, token check, sendMail), production mail through the outbox
 * recorded as accepted, 429 pausing the server for the Retry-After it names, and 403 parked with its diagnosis.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import {
	createMicrosoftMockFetch,
	listGraphMessages,
	resetMicrosoftMock,
	setGraphScenario
} from '../../../mocks/microsoft.js';
import { clearMicrosoftClients, useMicrosoftFetch } from './microsoft.js';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { createSmtpServer, getServerSettings } from './servers.js';
import { runConfigurationTest } from './config-test.js';
import { closeAllTransports } from './transport.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import { smtpServerSchema, smtpServerFormDefaults } from '../../schemas/smtp-server.js';
import { enqueue } from '../outbox/enqueue.js';
import { startMailQueue, stopMailQueue } from '../outbox/queue.js';
import { deliver, stopMailWorker } from '../outbox/worker.js';
import { readGate } from '../outbox/gate.js';
import { startSmtpPeer } from '../testing/smtp-peers.js';
import { createSinkServer } from '../testing/sink-server.js';

const SECRET = 'graph~secret~value~0123456789abcdefghijk';
const MAILBOX = 'noreply@contoso.example';
let database: Database;

beforeAll(() => useMicrosoftFetch(createMicrosoftMockFetch({ unhandled: 'error' })));
afterAll(() => useMicrosoftFetch());
beforeEach(async () => {
	resetMicrosoftMock();
	clearMicrosoftClients();
	database = await freshTestDatabase();
	await startMailQueue(database);
});
afterEach(async () => {
	await stopMailWorker();
	await stopMailQueue();
	await closeAllTransports();
	await database.close();
});

function graphForm(over: Partial<Record<string, unknown>> = {}): SmtpServerForm {
	return smtpServerSchema.parse({
		...smtpServerFormDefaults,
		auth: 'graph',
		name: 'Graph',
		// what a browser might still post from the SMTP fields: ignored for Graph
		host: 'smtp.example.com',
		port: 25,
		security: 'none',
		fromAddress: MAILBOX,
		tenantId: '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d',
		clientId: '11111111-2222-3333-4444-555555555555',
		clientSecret: SECRET,
		mailbox: MAILBOX,
		cloud: 'global',
		...over
	});
}

async function saveGraphServer(over: Partial<Record<string, unknown>> = {}) {
	const saved = await createSmtpServer(graphForm(over), { actor: 'admin' });
	if (!saved.ok) throw new Error(JSON.stringify(saved));
	return saved.server;
}

/** MIME headers with their folded lines joined (a long Message-ID goes on a line of its own). */
const unfolded = (mime: string) => mime.replace(/\r?\n[ \t]+/g, ' ');

const message = (serverId: string) => ({
	kind: 'notification' as const,
	serverId,
	to: ['ada@example.com'],
	subject: 'Weekly access report',
	text: 'Nothing needs doing.',
	carriesSecret: false
});

describe('a Microsoft Graph server', () => {
	it('is saved with its cloud’s Graph host on 443 with TLS, whatever the SMTP fields said, and Microsoft’s limits', async () => {
		const server = await saveGraphServer({ cloud: 'usgov' });
		expect(server).toMatchObject({
			auth: 'graph',
			host: 'graph.microsoft.us',
			port: 443,
			security: 'tls',
			verifyTls: true,
			mailbox: MAILBOX,
			hasClientSecret: true,
			limits: { maxConnections: 3, messagesPerMinute: 30, recipientsPerDay: 10_000 }
		});
		expect(JSON.stringify(server)).not.toContain(SECRET);
	});

	it('passes its configuration test: a Graph token with Mail.Send, then the test message posted to sendMail', async () => {
		const server = await saveGraphServer();
		const settings = (await getServerSettings(server.id))!;
		const result = await runConfigurationTest(settings, { mode: 'send', to: 'ada@example.com' });
		expect(result.ok).toBe(true);
		expect(result.verdict).toBe('Test e-mail accepted by Microsoft Graph');
		expect(result.steps.map((s) => [s.id, s.ok])).toEqual([
			['token', true],
			['claims', true],
			['send', true]
		]);
		expect(result.steps[2].detail).toMatch(/^202 Accepted by Microsoft Graph/);
		const [posted] = listGraphMessages();
		expect(posted.mailbox).toBe(MAILBOX);
		expect(unfolded(posted.mime)).toContain(`Message-ID: ${result.messageId}`);
		expect(JSON.stringify(result)).not.toContain(SECRET);

		const verify = await runConfigurationTest(settings, { mode: 'verify' });
		expect(verify.ok).toBe(true);
		expect(verify.steps[2]).toMatchObject({ ok: null, detail: expect.stringMatching(/^not run/) });
		expect(listGraphMessages()).toHaveLength(1);
	});

	it('fails its configuration test on 403 with the RBAC PowerShell for this mailbox', async () => {
		const server = await saveGraphServer();
		setGraphScenario('access-denied');
		const result = await runConfigurationTest((await getServerSettings(server.id))!, {
			mode: 'send',
			to: 'ada@example.com'
		});
		expect(result.ok).toBe(false);
		expect(result.steps.find((s) => s.ok === false)?.id).toBe('send');
		expect(result.diagnosis?.id).toBe('graph-access-denied');
		expect(result.diagnosis?.powershell?.join('\n')).toContain(
			`Test-ServicePrincipalAuthorization -Identity '11111111-2222-3333-4444-555555555555' -Resource '${MAILBOX}'`
		);
	});

	it('delivers outbox mail through Graph: recorded as accepted, with the message’s own Message-ID', async () => {
		const server = await saveGraphServer();
		const id = await enqueue(message(server.id));
		expect(await deliver(id)).toBe('sent');
		const [row] = await db().select().from(tables.mailOutbox).where(eq(tables.mailOutbox.id, id));
		expect(row.status).toBe('sent');
		expect(row.lastReply).toMatch(
			/^202 Accepted by Microsoft Graph for delivery \(not yet delivered\)/
		);
		const [posted] = listGraphMessages();
		expect(unfolded(posted.mime)).toContain(`Message-ID: ${row.messageId}`);
		expect(posted.mime).toMatch(/^To: ada@example\.com\r?$/m);
	});

	it('429: the server waits the Retry-After Graph named; the message is deferred, not failed', async () => {
		const server = await saveGraphServer();
		setGraphScenario('throttled', { retryAfterSeconds: 30 });
		const id = await enqueue(message(server.id));
		const before = Date.now();
		expect(await deliver(id)).toBe('deferred');
		const gate = await readGate(server.id);
		expect(gate?.pausedUntil?.getTime()).toBeGreaterThanOrEqual(before + 29_000);
		expect(gate?.pausedUntil?.getTime()).toBeLessThanOrEqual(Date.now() + 31_000);
		expect(gate?.pauseReason).toMatch(/Microsoft Graph is throttling/);
		const [row] = await db().select().from(tables.mailOutbox).where(eq(tables.mailOutbox.id, id));
		expect(row).toMatchObject({ status: 'queued', attempts: 0 });
	});

	it('403: parked as failed with Graph’s reply and the access-denied diagnosis', async () => {
		const server = await saveGraphServer();
		setGraphScenario('access-denied');
		const id = await enqueue(message(server.id));
		expect(await deliver(id)).toBe('failed');
		const [row] = await db().select().from(tables.mailOutbox).where(eq(tables.mailOutbox.id, id));
		expect(row.status).toBe('failed');
		expect(row.lastReply).toMatch(/^403 ErrorAccessDenied/);
		expect(row.diagnosis?.id).toBe('graph-access-denied');
	});

	it('503: retried later (transient), diagnosed as Graph being unavailable', async () => {
		const server = await saveGraphServer();
		setGraphScenario('unavailable');
		const id = await enqueue(message(server.id));
		await expect(deliver(id)).rejects.toThrow(/attempt 1 failed: graph-unavailable/);
		const [row] = await db().select().from(tables.mailOutbox).where(eq(tables.mailOutbox.id, id));
		expect(row.status).toBe('retrying');
	});

	it('403 with a fallback: the message moves to the fallback SMTP server and is delivered there', async () => {
		const graph = await saveGraphServer();
		const peer = await startSmtpPeer();
		try {
			const fallback = await createSinkServer(peer.port, 'SMTP fallback');
			setGraphScenario('access-denied');
			const id = await enqueue({ ...message(graph.id), fallbackServerId: fallback });
			expect(await deliver(id)).toBe('deferred');
			expect(await deliver(id)).toBe('sent');
			const [row] = await db().select().from(tables.mailOutbox).where(eq(tables.mailOutbox.id, id));
			expect(row).toMatchObject({
				status: 'sent',
				serverName: 'SMTP fallback',
				failedOverFrom: 'Graph',
				attempts: 2
			});
			expect(peer.messages).toHaveLength(1);
			expect(listGraphMessages()).toHaveLength(0);
		} finally {
			await closeAllTransports();
			await peer.close();
		}
	});
});
