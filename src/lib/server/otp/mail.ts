/**
 * The one way OTP code and TOTP key e-mails leave this module: a sender function handed in by the caller
 * (the route wires it to the outbox), so these modules need no queue and tests capture what is sent.
 */

export interface OutgoingMail {
	kind: 'email-otp' | 'totp-key';
	smtpServerId: string;
	/** The generator's "Fallback SMTP server", used when its server cannot be reached or refuses to sign in. */
	fallbackSmtpServerId?: string | null;
	from: string;
	to: string;
	subject: string;
	text: string;
	html?: string;
	/** The sign-in it is for, so an admin's resend of a failed code makes a fresh code for it. */
	origin?: { loginId?: string };
	/** Set on an admin's resend: the failed message it replaces. */
	resentFrom?: string;
}

/**
 * Resolves once the message is out ('sent', or nothing: a test's capture), or when its first attempt failed
 * transiently or is slow ('delayed': the outbox keeps trying and the page says so); rejects when it cannot be
 * delivered.
 */
export type MailSender = (message: OutgoingMail) => Promise<'sent' | 'delayed' | void>;

/** "j***@example.com": enough for the user to recognise the mailbox, not enough to harvest addresses. */
export function maskEmail(address: string): string {
	const at = address.lastIndexOf('@');
	if (at < 1) return '***';
	return `${address[0]}***${address.slice(at)}`;
}
