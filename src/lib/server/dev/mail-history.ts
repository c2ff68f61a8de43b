/**
 * Mock mode: two days of mail history in the outbox, so the mail log, its chart and a server's delivery card
 * look like a working installation's (sign-in codes at office hours, a few refusals with their diagnoses). The
 * rows are finished (sent or failed), so no queue job is needed and nothing is sent.
 */
import { randomUUID } from 'node:crypto';
import { db, tables } from '../db/index.js';
import { diagnoseDelivery } from '../outbox/diagnosis.js';
import type { OutboxRow } from '../outbox/store.js';

const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

export async function seedMailHistory(server: { id: string; name: string }, now = new Date()) {
	const reply = '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found';
	const refusal = await diagnoseDelivery(
		{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: reply },
		{
			serverId: server.id,
			serverName: server.name,
			fromAddress: 'noreply@postern.test'
		} as OutboxRow
	);
	const rows = [];
	for (let hoursAgo = 47; hoursAgo >= 0; hoursAgo--) {
		const hour = new Date(now.getTime() - hoursAgo * 3_600_000);
		const local = hour.getHours();
		// busier in working hours, quiet at night
		const count = local >= 8 && local <= 18 ? 6 + ((hoursAgo * 7) % 9) : (hoursAgo * 3) % 3;
		for (let i = 0; i < count; i++) {
			const person = PEOPLE[(hoursAgo + i) % PEOPLE.length];
			const failed = (hoursAgo * 13 + i) % 23 === 0;
			const at = new Date(hour.getTime() - i * 97_000);
			rows.push({
				kind: 'email-otp' as const,
				serverId: server.id,
				serverName: server.name,
				fromAddress: 'noreply@postern.test',
				recipients: [failed ? `${person}.old@postern.test` : `${person}@postern.test`],
				subject: 'Your Postern sign-in code',
				carriesSecret: true,
				messageId: `<${randomUUID()}@postern.test>`,
				status: failed ? ('failed' as const) : ('sent' as const),
				attempts: 1,
				maxAttempts: 8,
				lastReply: failed ? reply : '250 OK: queued as mock',
				lastCode: failed ? 'EENVELOPE' : null,
				diagnosis: failed
					? {
							id: refusal.id,
							phase: refusal.phase,
							title: refusal.title,
							explanation: refusal.explanation,
							fix: refusal.fix
						}
					: null,
				createdAt: at,
				updatedAt: at,
				sentAt: failed ? null : new Date(at.getTime() + 180)
			});
		}
	}
	if (rows.length) await db().insert(tables.mailOutbox).values(rows);
	return rows.length;
}
