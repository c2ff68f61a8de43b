/**
 * Deleting an SMTP server: refused while anything uses it (usages.ts), with what does in the message, so the
 * admin knows where to choose another server first. Both the refusal and the deletion are audited.
 */
import { eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { findServerUsages } from './usages.js';
import { closeServerTransport } from './transport.js';
import { findServerRow } from './server-reads.js';
import type { DeleteServerResult } from './server-results.js';

export async function deleteSmtpServer(
	id: string,
	audit: AuditContext
): Promise<DeleteServerResult> {
	const row = await findServerRow(id);
	if (!row) return { ok: false, code: 'not_found', message: 'This SMTP server no longer exists.' };
	const usages = await findServerUsages(id);
	if (usages.length > 0) {
		await recordAudit({
			actor: audit.actor,
			action: 'smtp.deleted',
			outcome: 'failed',
			ip: audit.ip,
			detail: { id, name: row.name, reason: 'in use', usedBy: usages }
		});
		return {
			ok: false,
			code: 'in_use',
			usages,
			message: `“${row.name}” is in use by ${usages.map((u) => `${u.kind}: ${u.name}`).join('; ')}. Choose another server there first.`
		};
	}
	await db().delete(tables.smtpServers).where(eq(tables.smtpServers.id, id));
	await closeServerTransport(id);
	await recordAudit({
		actor: audit.actor,
		action: 'smtp.deleted',
		ip: audit.ip,
		detail: { id, name: row.name, host: row.host, port: row.port }
	});
	return { ok: true };
}
