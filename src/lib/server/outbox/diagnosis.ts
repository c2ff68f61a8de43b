/** A failed delivery in the words of the one diagnosis table (mail/diagnose.ts), for the mail log. */
import {
	collectFailureFacts,
	diagnoseFailure,
	diagnosisContextOf,
	stepOfSendError
} from '../mail/diagnose.js';
import { getSmtpServer } from '../mail/servers.js';
import type { Diagnosis } from '../mail/types.js';
import type { OutboxRow } from './store.js';

export async function diagnoseDelivery(error: unknown, row: OutboxRow): Promise<Diagnosis> {
	const server = row.serverId ? await getSmtpServer(row.serverId) : null;
	if (!server)
		return {
			id: 'server-deleted',
			phase: 'send',
			title: 'The SMTP server of this message no longer exists',
			explanation: `The message was queued for “${row.serverName}”, which has since been deleted.`,
			fix: 'Choose another SMTP server for what sends this message, then resend it.'
		};
	const facts = collectFailureFacts(error, stepOfSendError(error));
	return diagnoseFailure(facts, diagnosisContextOf(server, row.fromAddress));
}
