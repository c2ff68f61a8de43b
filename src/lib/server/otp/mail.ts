/**
 * The one way OTP code and TOTP key e-mails leave this module: a sender function handed in by the caller
 * (the route wires it to the mail module), so these modules need no SMTP and tests capture what is sent.
 */

export interface OutgoingMail {
	smtpServerId: string;
	from: string;
	to: string;
	subject: string;
	text: string;
	html?: string;
}

export type MailSender = (message: OutgoingMail) => Promise<void>;

/** "j***@example.com": enough for the user to recognise the mailbox, not enough to harvest addresses. */
export function maskEmail(address: string): string {
	const at = address.lastIndexOf('@');
	if (at < 1) return '***';
	return `${address[0]}***${address.slice(at)}`;
}

export function escapeHtml(text: string): string {
	return text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
	);
}
