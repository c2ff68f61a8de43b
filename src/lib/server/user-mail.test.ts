import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { freshTestDatabase } from './testing/db.js';
import { db, tables, type Database } from './db/index.js';
import { startSmtpPeer, type PeerOptions, type SmtpPeer } from './testing/smtp-peers.js';
import { createSinkServer } from './testing/sink-server.js';
import { closeAllTransports } from './mail/transport.js';
import { startOutbox, stopOutbox } from './outbox/lifecycle.js';
import { sendUserMail } from './user-mail.js';

let database: Database;
let peers: SmtpPeer[] = [];
beforeEach(async () => {
	database = await freshTestDatabase();
	await startOutbox(database);
});
afterEach(async () => {
	await stopOutbox();
	await closeAllTransports();
	await Promise.all(peers.map((p) => p.close()));
	peers = [];
	await database.close();
});

async function server(options: PeerOptions = {}) {
	const peer = await startSmtpPeer(options);
	peers.push(peer);
	return { peer, id: await createSinkServer(peer.port, `Relay ${peers.length}`) };
}

const code = (smtpServerId: string) => ({
	kind: 'email-otp' as const,
	smtpServerId,
	from: 'codes@example.com',
	to: 'jane@example.com',
	subject: 'Your Postern sign-in code',
	text: 'Your sign-in code for Postern is: 482913'
});

describe('sendUserMail (through the outbox)', () => {
	it('sends from the generator’s Sender and reports "sent"; the log keeps no code', async () => {
		const { peer, id } = await server();
		expect(await sendUserMail(code(id))).toBe('sent');
		expect(peer.messages).toHaveLength(1);
		expect(peer.messages[0].envelopeFrom).toBe('codes@example.com');
		expect(peer.messages[0].text).toContain('482913');
		const [row] = await db().select().from(tables.mailOutbox);
		expect(row).toMatchObject({ kind: 'email-otp', status: 'sent', bodySealed: null });
		expect(JSON.stringify(row)).not.toContain('482913');
	});

	it('rejects when the server refuses the message for good, so the code is not offered', async () => {
		const { id } = await server({ fault: 'rcpt-550-5.7.60' });
		await expect(sendUserMail(code(id))).rejects.toThrow();
		const [row] = await db().select().from(tables.mailOutbox);
		expect(row.status).toBe('failed');
	});

	it('reports "delayed" when the first attempt fails for now; the outbox keeps the message', async () => {
		const { id } = await server({ fault: 'drop-on-connect' });
		expect(await sendUserMail(code(id))).toBe('delayed');
		const [row] = await db()
			.select()
			.from(tables.mailOutbox)
			.where(eq(tables.mailOutbox.kind, 'email-otp'));
		expect(row.status).toBe('retrying');
		expect(row.bodySealed).not.toBeNull();
	});

	it('a sign-in code whose server is down goes through the generator’s fallback, and is reported "sent"', async () => {
		const down = await createSinkServer(1, 'Down relay');
		const { peer, id: fallback } = await server();
		expect(await sendUserMail({ ...code(down), fallbackSmtpServerId: fallback })).toBe('sent');
		expect(peer.messages).toHaveLength(1);
		expect(peer.messages[0].text).toContain('482913');
		const [row] = await db().select().from(tables.mailOutbox);
		expect(row).toMatchObject({
			status: 'sent',
			serverName: 'Relay 1',
			failedOverFrom: 'Down relay',
			attempts: 2,
			bodySealed: null
		});
	});
});
