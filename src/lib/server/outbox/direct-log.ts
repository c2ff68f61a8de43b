/**
 * Configuration tests talk to the server directly (they must show the step-by-step transcript), but a test
 * that sends a message is mail like any other: it is written to the mail log too, already settled, with the
 * server's reply and the diagnosis of a failure. Never a body: the log keeps metadata only.
 */
import { db, tables } from '../db/index.js';
import type { ConfigurationTestResult } from '../mail/types.js';
import { newMessageId } from './store.js';

export async function logConfigurationTestMail(
	result: ConfigurationTestResult,
	facts: { serverId?: string; serverName: string; fromAddress: string; to: string }
): Promise<void> {
	if (result.mode !== 'send') return;
	const sendStep = result.steps.find((step) => step.id === 'send');
	// A test that failed before it could send left no message: nothing for the mail log.
	if (!sendStep || sendStep.ok === null) return;
	const reply = sendStep.detail ?? null;
	const diagnosis = result.diagnosis;
	await db()
		.insert(tables.mailOutbox)
		.values({
			kind: 'config-test',
			serverId: facts.serverId ?? null,
			serverName: facts.serverName || '(not saved yet)',
			fromAddress: facts.fromAddress,
			recipients: [facts.to],
			subject: 'Postern configuration test',
			bodySealed: null,
			carriesSecret: false,
			messageId: result.messageId ?? newMessageId(facts.fromAddress),
			status: result.ok ? 'sent' : 'failed',
			attempts: 1,
			maxAttempts: 1,
			lastReply: reply,
			diagnosis: diagnosis
				? {
						id: diagnosis.id,
						phase: diagnosis.phase,
						title: diagnosis.title,
						explanation: diagnosis.explanation,
						fix: diagnosis.fix
					}
				: null,
			createdAt: new Date(result.startedAt),
			sentAt: result.ok ? new Date() : null
		})
		.onConflictDoNothing();
}
