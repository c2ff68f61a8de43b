/**
 * The "Configuration test" of an e-mail OTP generator: the identity module's sample message (a sample code that
 * signs nobody in) from the generator's Sender, through the outbox and the chosen server's production
 * transport (outbox/test-send.ts). Audited as otp_generator.tested.
 */
import type { OtpGeneratorForm } from '../../schemas/otp-generators.js';
import { sampleOtpMail } from './otp-generators.js';
import { getSmtpServer } from '../mail/servers.js';
import { sendTestMessage, serverGoneOutcome, type TestSendOutcome } from '../outbox/test-send.js';
import { recordAudit, type AuditContext } from '../audit.js';

type EmailGenerator = Extract<OtpGeneratorForm, { type: 'email' }>;

export type SampleTestOutcome = TestSendOutcome;

export async function sendSampleCode(input: {
	generator: EmailGenerator;
	generatorId: string | null;
	to: string;
	audit: AuditContext;
}): Promise<SampleTestOutcome> {
	const { generator, to } = input;
	const server = await getSmtpServer(generator.smtpServerId);
	const label = server
		? `Send a sample code through “${server.name}” from ${generator.sender} to ${to}`
		: 'Send a sample code';
	let outcome: SampleTestOutcome;
	if (!server) outcome = serverGoneOutcome(label);
	else {
		const mail = sampleOtpMail(generator, to);
		outcome = await sendTestMessage(
			{
				kind: 'sample-code',
				serverId: server.id,
				from: { address: mail.from },
				to: [mail.to],
				subject: mail.subject,
				text: mail.text,
				carriesSecret: false
			},
			{
				label,
				sent: `Sent successfully. Check the mailbox of ${to} for the sample code.`,
				what: 'sample'
			}
		);
	}
	await recordAudit({
		actor: input.audit.actor,
		action: 'otp_generator.tested',
		outcome: outcome.ok ? 'ok' : 'failed',
		ip: input.audit.ip,
		detail: {
			id: input.generatorId,
			name: generator.name,
			smtpServerId: generator.smtpServerId,
			sender: generator.sender,
			to,
			diagnosis: outcome.diagnosis?.id ?? null
		}
	});
	return outcome;
}
