import { afterEach, beforeEach, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { logConfigurationTestMail } from './direct-log.js';
import type { ConfigurationTestResult } from '../mail/types.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

const result = (over: Partial<ConfigurationTestResult>): ConfigurationTestResult => ({
	ok: true,
	mode: 'send',
	verdict: 'Test e-mail sent successfully',
	steps: [{ id: 'send', label: 'Send', ok: true, ms: 12, detail: '250 2.0.0 OK' }],
	transcript: [{ dir: 'client', text: 'AUTH PLAIN [redacted]' }],
	messageId: '<postern-test.1@example.com>',
	startedAt: new Date().toISOString(),
	durationMs: 40,
	...over
});

it('writes a sent configuration test to the mail log, settled, without body or transcript', async () => {
	await logConfigurationTestMail(result({}), {
		serverName: 'Relay',
		fromAddress: 'noreply@example.com',
		to: 'ops@example.com'
	});
	const [row] = await db().select().from(tables.mailOutbox);
	expect(row).toMatchObject({
		kind: 'config-test',
		status: 'sent',
		recipients: ['ops@example.com'],
		messageId: '<postern-test.1@example.com>',
		lastReply: '250 2.0.0 OK',
		bodySealed: null
	});
	expect(JSON.stringify(row)).not.toContain('AUTH');
});

it('writes a refused one as failed with its diagnosis, and nothing for a test that never reached sending', async () => {
	await logConfigurationTestMail(
		result({
			ok: false,
			steps: [{ id: 'send', label: 'Send', ok: false, ms: 5, detail: '550 5.7.60 denied' }],
			diagnosis: {
				id: 'sendas-denied',
				phase: 'send',
				title: 'Not allowed to send as this address',
				explanation: 'x',
				fix: 'y'
			}
		}),
		{ serverName: 'Relay', fromAddress: 'noreply@example.com', to: 'ops@example.com' }
	);
	await logConfigurationTestMail(
		result({
			ok: false,
			messageId: undefined,
			steps: [
				{ id: 'tcp', label: 'Connect', ok: false, ms: 5, detail: 'ECONNREFUSED' },
				{ id: 'send', label: 'Send', ok: null, ms: null, detail: null }
			]
		}),
		{ serverName: 'Relay', fromAddress: 'noreply@example.com', to: 'ops@example.com' }
	);
	const rows = await db().select().from(tables.mailOutbox);
	expect(rows).toHaveLength(1);
	expect(rows[0]).toMatchObject({ status: 'failed', lastReply: '550 5.7.60 denied' });
	expect(rows[0].diagnosis?.id).toBe('sendas-denied');
});
