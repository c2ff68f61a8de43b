/** The mail log's kinds and statuses with their labels: plain values, for pages and the server alike. */
export const MAIL_KIND_CHOICES = [
	'email-otp',
	'totp-key',
	'reset-link',
	'sample-code',
	'config-test',
	'notification',
	'alert'
] as const;
export const MAIL_STATUS_CHOICES = ['queued', 'sending', 'sent', 'retrying', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUS_CHOICES)[number];

export const MAIL_KIND_LABELS: Record<(typeof MAIL_KIND_CHOICES)[number], string> = {
	'email-otp': 'Sign-in code',
	'totp-key': 'TOTP key',
	'reset-link': 'Password-reset link',
	'sample-code': 'Sample code',
	'config-test': 'Configuration test',
	notification: 'Notification',
	alert: 'Alert'
};
export const MAIL_STATUS_LABELS: Record<(typeof MAIL_STATUS_CHOICES)[number], string> = {
	queued: 'Queued',
	sending: 'Sending',
	sent: 'Sent',
	retrying: 'Retrying',
	failed: 'Failed'
};
