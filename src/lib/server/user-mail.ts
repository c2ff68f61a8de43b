/**
 * Wires the end-user side's mail (one-time codes, TOTP keys) to the mail module: the OTP generator's SMTP server
 * and Sender, through the same pooled transport every production message uses.
 */
import type { MailSender } from './otp/mail.js';
import { sendMailWithServer } from './mail/send.js';

export const sendUserMail: MailSender = async (message) => {
	await sendMailWithServer(message.smtpServerId, {
		from: { address: message.from },
		to: message.to,
		subject: message.subject,
		text: message.text,
		html: message.html
	});
};
