/**
 * The "Configuration test" of an e-mail OTP generator: the identity module's sample message (a sample code that
 * signs nobody in) from the generator's Sender, through the chosen server's production transport
 * (sendMailWithServer), so the test takes the path real codes take. A failure is explained by the mail
 * module's diagnosis table; the outcome has the shape TestResult renders. Audited as otp_generator.tested.
 *
 * The production transport keeps no transcript, so the step shows codes only; the SMTP server's own
 * configuration test (its page) has the full step-by-step dialogue.
 */
import type { OtpGeneratorForm } from '#lib/schemas/otp-generators.js';
import { sampleOtpMail } from '#lib/server/identity/otp-generators.js';
import { sendMailWithServer } from '#lib/server/mail/send.js';
import { getSmtpServer } from '#lib/server/mail/servers.js';
import {
	collectFailureFacts,
	diagnoseFailure,
	type FailureFacts
} from '#lib/server/mail/diagnose.js';
import { recordAudit } from '#lib/server/audit.js';
import type { Diagnosis, SmtpServerView, StepId } from '#lib/server/mail/types.js';
import type { AuditContext } from '#lib/server/audit.js';

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
			const facts = collectFailureFacts(error, stepOf(error));
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

const TLS_CODE = /^(CERT_|ERR_SSL|ERR_TLS|UNABLE_TO|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH)/;

/** Which step of the dialogue failed, read from nodemailer's codes and the command in flight. */
function stepOf(error: unknown): StepId {
	const e = (error ?? {}) as { code?: string; command?: string; cause?: { code?: string } };
	const original = (error as { originalCode?: string })?.originalCode ?? e.cause?.code ?? '';
	const command = (e.command ?? '').toUpperCase();
	if (e.code === 'EDNS' || ['ENOTFOUND', 'EAI_AGAIN'].includes(original)) return 'dns';
	if (e.code === 'ETLS' || command === 'STARTTLS' || TLS_CODE.test(original)) return 'tls';
	if (e.code === 'EOAUTH2') return 'token';
	if (e.code === 'EAUTH' || command.startsWith('AUTH')) return 'auth';
	if (command === 'CONN' || command === 'GREETING') {
		if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH'].includes(original)) return 'tcp';
		return e.code === 'ETIMEDOUT' ? 'greeting' : 'tcp';
	}
	if (e.code === 'ECONNECTION' && !command) return 'tcp';
	return 'send';
}

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

/** Codes only: no server text reaches the page from a failure. */
function describeFacts(facts: FailureFacts): string {
	return [
		facts.responseCode ? String(facts.responseCode) : null,
		facts.enhancedStatus ?? null,
		facts.aadsts ? `AADSTS${facts.aadsts}` : null,
		facts.originalCode ?? facts.code ?? null
	]
		.filter(Boolean)
		.join(' ');
}
