/**
 * The "Configuration test" of an e-mail OTP generator: the identity module's sample message (a sample code that
 * signs nobody in) from the generator's Sender, through the chosen server's production transport
 * (sendMailWithServer), so the test takes the path real codes take. A failure is explained by the mail
 * module's diagnosis table; the outcome has the shape TestResult renders. Audited as otp_generator.tested.
 *
 * The production transport keeps no transcript, so the step shows codes only; the SMTP server's own
 * configuration test (its page) has the full step-by-step dialogue.
 */
import type { OtpGeneratorForm } from '../../schemas/otp-generators.js';
import { sampleOtpMail } from './otp-generators.js';
import { sendMailWithServer } from '../mail/send.js';
import { getSmtpServer } from '../mail/servers.js';
import {
	collectFailureFacts,
	describeFacts,
	diagnoseFailure,
	stepOfSendError
} from '../mail/diagnose.js';
import { recordAudit, type AuditContext } from '../audit.js';
import type { Diagnosis, SmtpServerView } from '../mail/types.js';

type EmailGenerator = Extract<OtpGeneratorForm, { type: 'email' }>;

export interface SampleTestOutcome {
	ok: boolean;
	verdict: string;
	steps: {
		id: string;
		label: string;
		ok: boolean | null;
		ms: number | null;
		detail: string | null;
	}[];
	diagnosis: Diagnosis | null;
	transcript: { dir: string; text: string }[];
}

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
	if (!server) {
		outcome = {
			ok: false,
			verdict: 'This SMTP server no longer exists. Choose another one.',
			steps: [{ id: 'send', label, ok: false, ms: null, detail: null }],
			diagnosis: null,
			transcript: []
		};
	} else {
		const mail = sampleOtpMail(generator, to);
		const started = performance.now();
		try {
			const sent = await sendMailWithServer(server.id, {
				from: { address: mail.from },
				to: mail.to,
				subject: mail.subject,
				text: mail.text
			});
			const ms = Math.round(performance.now() - started);
			if (sent.rejected.length) throw Object.assign(new Error('rejected'), { code: 'EENVELOPE' });
			outcome = {
				ok: true,
				verdict: `Sent successfully. Check the mailbox of ${to} for the sample code.`,
				steps: [{ id: 'send', label, ok: true, ms, detail: sent.response }],
				diagnosis: null,
				transcript: []
			};
		} catch (error) {
			const ms = Math.round(performance.now() - started);
			const facts = collectFailureFacts(error, stepOfSendError(error));
			const diagnosis = diagnoseFailure(facts, contextOf(server, generator.sender));
			outcome = {
				ok: false,
				verdict: `Sending failed: ${diagnosis.title}`,
				steps: [{ id: 'send', label, ok: false, ms, detail: describeFacts(facts) || null }],
				diagnosis,
				transcript: []
			};
		}
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

/** What the diagnosis table needs to know of the server, with the generator's Sender as the From. */
function contextOf(server: SmtpServerView, sender: string) {
	return {
		host: server.host,
		port: server.port,
		security: server.security,
		auth: server.auth,
		timeoutSeconds: server.timeoutSeconds,
		fromAddress: sender,
		username: server.username ?? undefined,
		mailbox: server.mailbox ?? undefined,
		clientId: server.clientId ?? undefined,
		tenantId: server.tenantId ?? undefined,
		cloud: server.cloud
	};
}
