/**
 * Creating and updating SMTP servers: the display name stays unique (whatever the letter case), secrets are
 * sealed under the reuse rule (server-secrets.ts), the last test is kept only while it still describes the
 * saved settings, and every save is audited (never a secret value). A server's last test is stored here too,
 * for the configuration test (config-test.ts).
 */
import { eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { SmtpServerRow } from '../db/schema/index.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { isUniqueViolation } from '../db/errors.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import { closeServerTransport } from './transport.js';
import { fingerprintSettings, recallTestOutcome, type TestOutcome } from './last-test.js';
import { toServerColumns } from './server-columns.js';
import { resolveServerSecrets } from './server-secrets.js';
import { toServerSettings } from './server-settings.js';
import { toServerView } from './server-view.js';
import { findServerRow, isServerNameTaken } from './server-reads.js';
import { serverNameTaken, serverNotFound, type SaveServerResult } from './server-results.js';

export async function createSmtpServer(
	form: SmtpServerForm,
	audit: AuditContext
): Promise<SaveServerResult> {
	if (await isServerNameTaken(form.name)) return serverNameTaken();
	const secrets = resolveServerSecrets(form, null);
	if (!secrets.ok) return secrets;
	let row: SmtpServerRow;
	try {
		[row] = await db()
			.insert(tables.smtpServers)
			.values({ ...toServerColumns(form), ...secrets.columns })
			.returning();
	} catch (error) {
		if (isUniqueViolation(error)) return serverNameTaken();
		throw error;
	}
	row = await settleLastTest(row, null);
	await recordAudit({
		actor: audit.actor,
		action: 'smtp.created',
		ip: audit.ip,
		detail: { ...describeForAudit(row), replaced: secrets.replaced }
	});
	return { ok: true, server: toServerView(row) };
}

export async function updateSmtpServer(
	id: string,
	form: SmtpServerForm,
	audit: AuditContext
): Promise<SaveServerResult> {
	const before = await findServerRow(id);
	if (!before) return serverNotFound();
	if (await isServerNameTaken(form.name, id)) return serverNameTaken();
	const secrets = resolveServerSecrets(form, before);
	if (!secrets.ok) return secrets;
	const columns = { ...toServerColumns(form), ...secrets.columns };
	let row: SmtpServerRow;
	try {
		[row] = await db()
			.update(tables.smtpServers)
			.set({ ...columns, updatedAt: new Date() })
			.where(eq(tables.smtpServers.id, id))
			.returning();
	} catch (error) {
		if (isUniqueViolation(error)) return serverNameTaken();
		throw error;
	}
	if (!row) return serverNotFound();
	row = await settleLastTest(row, before);
	// The pooled transport would notice the new updatedAt on its next send; closing it now also ends idle
	// connections that still hold the old credentials.
	await closeServerTransport(id);
	await recordAudit({
		actor: audit.actor,
		action: 'smtp.updated',
		ip: audit.ip,
		detail: {
			...describeForAudit(row),
			changed: listChangedColumns(before, columns),
			replaced: secrets.replaced
		}
	});
	return { ok: true, server: toServerView(row) };
}

/**
 * The last test after a save: kept when nothing a test depends on changed, else the outcome of a test of
 * exactly these settings from the last hour (edit, test, save), else none (last-test.ts).
 */
async function settleLastTest(row: SmtpServerRow, before: SmtpServerRow | null) {
	const fingerprint = fingerprintSettings(toServerSettings(row));
	if (before && fingerprintSettings(toServerSettings(before)) === fingerprint) return row;
	const outcome = await recallTestOutcome(fingerprint);
	if (!before && !outcome) return row;
	return (await storeServerLastTest(row.id, outcome)) ?? row;
}

/**
 * Stores `outcome` as the server's last test (null clears it); the updated row, or null for no such server.
 * `updatedAt` stays: it keys the pooled transport, and a test result changes nothing a send uses.
 */
export async function storeServerLastTest(
	id: string,
	outcome: TestOutcome | null
): Promise<SmtpServerRow | null> {
	const [updated] = await db()
		.update(tables.smtpServers)
		.set({
			lastTestAt: outcome?.at ?? null,
			lastTestOk: outcome?.ok ?? null,
			lastTestSummary: outcome?.summary ?? null
		})
		.where(eq(tables.smtpServers.id, id))
		.returning();
	return updated ?? null;
}

function describeForAudit(row: SmtpServerRow) {
	return {
		id: row.id,
		name: row.name,
		host: row.host,
		port: row.port,
		security: row.security,
		auth: row.auth,
		fromAddress: row.fromAddress
	};
}

/** The names of the columns a save changes; sealed secrets are never named (the audit says `replaced`). */
function listChangedColumns(before: SmtpServerRow, after: Record<string, unknown>) {
	return Object.keys(after).filter(
		(key) =>
			!key.endsWith('Sealed') &&
			JSON.stringify(before[key as keyof SmtpServerRow] ?? null) !==
				JSON.stringify(after[key] ?? null)
	);
}
