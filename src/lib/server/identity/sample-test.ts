/**
 * The "Configuration test" of an e-mail OTP generator: the identity module's sample message (a sample code that
 * signs nobody in) from the generator's Sender, through the outbox and the chosen server's production
 * transport, so the test takes the path real codes take and shows in the mail log. A failure is explained by
 * the diagnosis table (the outbox records it); the outcome has the shape TestResult renders. Audited as
 * otp_generator.tested.
 *
 * The production transport keeps no transcript, so the step shows the server's reply only; the SMTP server's
 * own configuration test (its page) has the full step-by-step dialogue.
 */
import type { OtpGeneratorForm } from '../../schemas/otp-generators.js';
import { sampleOtpMail } from './otp-generators.js';
import { getSmtpServer } from '../mail/servers.js';
import { enqueue } from '../outbox/enqueue.js';
import { awaitFirstAttempt } from '../outbox/wait.js';
import { recordAudit, type AuditContext } from '../audit.js';
import type { Diagnosis } from '../mail/types.js';

/** A test is interactive but may meet a slow server: wait for its answer as long as a configuration test. */
const SAMPLE_WAIT_MS = 30_000;

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
		const id = await enqueue({
			kind: 'sample-code',
			serverId: server.id,
			from: { address: mail.from },
			to: [mail.to],
			subject: mail.subject,
			text: mail.text,
			carriesSecret: false
		});
		const state = await awaitFirstAttempt(id, SAMPLE_WAIT_MS);
		const ms = Math.round(performance.now() - started);
		const detail = state.lastReply ?? state.lastCode ?? null;
		const diagnosis = (state.diagnosis as Diagnosis | null) ?? null;
		if (state.status === 'sent')
			outcome = {
				ok: true,
				verdict: `Sent successfully. Check the mailbox of ${to} for the sample code.`,
				steps: [{ id: 'send', label, ok: true, ms, detail }],
				diagnosis: null,
				transcript: []
			};
		else
			outcome = {
				ok: false,
				verdict:
					state.status === 'failed'
						? `Sending failed: ${diagnosis?.title ?? 'the server refused the message'}`
						: state.status === 'retrying'
							? `The server did not take the sample yet: ${diagnosis?.title ?? 'a temporary failure'}. Postern keeps trying in the background; the mail log shows the outcome.`
							: 'No answer from the server yet. The sample stays queued; the mail log shows the outcome.',
				steps: [{ id: 'send', label, ok: false, ms, detail }],
				diagnosis,
				transcript: []
			};
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
