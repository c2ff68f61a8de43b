/**
 * "Send a test notification": the profile's templates, as the form stands (saved or not), filled with sample
 * launch facts, to any address, through the outbox and the chosen server like a real notification. Audited
 * as notification_profile.tested.
 */
import { eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { sendTestMessage, serverGoneOutcome, type TestSendOutcome } from '../outbox/test-send.js';
import { launchNotificationMail } from '../mail/templates/launch-notification.js';
import { SAMPLE_FACTS } from '../../notification-template.js';
import type { NotificationProfileForm } from '../../schemas/notification-profiles.js';

export async function sendTestNotification(input: {
	profile: NotificationProfileForm;
	profileId: string | null;
	to: string;
	audit: AuditContext;
}): Promise<TestSendOutcome> {
	const { profile, to } = input;
	const [server] = await db()
		.select({ id: tables.smtpServers.id, name: tables.smtpServers.name })
		.from(tables.smtpServers)
		.where(eq(tables.smtpServers.id, profile.smtpServerId));
	const label = server
		? `Send a test notification through “${server.name}” to ${to}`
		: 'Send a test notification';
	const mail = launchNotificationMail(
		{
			profileName: profile.name,
			subjectTemplate: profile.subjectTemplate,
			bodyTemplate: profile.bodyTemplate
		},
		SAMPLE_FACTS
	);
	const outcome = server
		? await sendTestMessage(
				{
					kind: 'notification',
					serverId: server.id,
					to: [to],
					subject: `[Test] ${mail.subject}`,
					text: mail.text,
					html: mail.html,
					carriesSecret: false,
					...(input.profileId ? { origin: { profileId: input.profileId } } : {})
				},
				{
					label,
					sent: `Sent successfully. Check the mailbox of ${to} for the test notification.`,
					what: 'test notification'
				}
			)
		: serverGoneOutcome(label);
	await recordAudit({
		actor: input.audit.actor,
		action: 'notification_profile.tested',
		outcome: outcome.ok ? 'ok' : 'failed',
		ip: input.audit.ip,
		detail: {
			id: input.profileId,
			name: profile.name,
			smtpServerId: profile.smtpServerId,
			to,
			diagnosis: outcome.diagnosis?.id ?? null
		}
	});
	return outcome;
}
