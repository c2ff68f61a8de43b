/**
 * Wires the end-user side's mail (one-time codes, TOTP keys) to the outbox: the OTP generator's SMTP server and
 * Sender. The request waits a few seconds for the first attempt, so a code that went out is reported as sent
 * and one the server refused as failed; a slow or deferred one is "delayed" and the outbox keeps trying.
 */
import type { MailSender } from './otp/mail.js';
import { enqueue } from './outbox/enqueue.js';
import { awaitFirstAttempt } from './outbox/wait.js';

export const sendUserMail: MailSender = async (message) => {
	const id = await enqueue({
		kind: message.kind,
		serverId: message.smtpServerId,
		fallbackServerId: message.fallbackSmtpServerId ?? null,
		from: { address: message.from },
		to: [message.to],
		subject: message.subject,
		text: message.text,
		html: message.html,
		carriesSecret: true,
		origin: message.origin,
		resentFrom: message.resentFrom
	});
	const state = await awaitFirstAttempt(id);
	if (state.status === 'sent') return 'sent';
	if (state.status === 'failed')
		throw Object.assign(new Error(state.diagnosis?.title ?? 'The message could not be sent'), {
			code: 'EDELIVERY'
		});
	return 'delayed';
};
