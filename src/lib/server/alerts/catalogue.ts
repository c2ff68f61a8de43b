/**
 * Every alert Postern sends. A *condition* alert fires while something is wrong and sends a "resolved" mail
 * when it clears (the sweep checks it); an *event* alert reports something that happened (a lockout, a reset)
 * and closes by itself once its repeat interval passes quietly. Health alerts also go to the Admiral Alert
 * Email, whatever the recipients chosen.
 */
export const ALERT_TYPES = [
	'smtp-failing',
	'message-failed',
	'outbox-backlog',
	'secret-expiry',
	'basic-auth-microsoft',
	'account-locked',
	'recovery-codes-low',
	'totp-reset',
	'smtp-switched-off'
] as const;

export type AlertType = (typeof ALERT_TYPES)[number];

export interface AlertTypeInfo {
	type: AlertType;
	title: string;
	/** When it fires, for the alerts page. */
	description: string;
	kind: 'condition' | 'event';
	/** Also sent to the Admiral Alert Email. */
	health: boolean;
	/**
	 * Mailed again after the repeat interval while it lasts. Off where a repeat would say nothing new: a
	 * secret's expiry mails at each step (30, 14, 7 days, expired), a flag or low codes once until fixed.
	 */
	repeats: boolean;
}

export const ALERT_CATALOGUE: Record<AlertType, AlertTypeInfo> = {
	'smtp-failing': {
		type: 'smtp-failing',
		title: 'SMTP server failing',
		description:
			'A server in use fails its periodic health check (connect, TLS, authenticate; no mail is sent).',
		kind: 'condition',
		health: true,
		repeats: true
	},
	'message-failed': {
		type: 'message-failed',
		title: 'Message given up',
		description: 'A message was parked as failed: the server refused it or every retry failed.',
		kind: 'event',
		health: true,
		repeats: true
	},
	'outbox-backlog': {
		type: 'outbox-backlog',
		title: 'Outbox backlog',
		description: 'More messages than the threshold have been waiting longer than the set time.',
		kind: 'condition',
		health: true,
		repeats: true
	},
	'secret-expiry': {
		type: 'secret-expiry',
		title: 'Microsoft client secret expiring',
		description:
			'A Microsoft 365 server’s client secret expires in 30, 14 or 7 days, or has expired.',
		kind: 'condition',
		health: true,
		repeats: false
	},
	'basic-auth-microsoft': {
		type: 'basic-auth-microsoft',
		title: 'Basic authentication on Microsoft 365',
		description:
			'A server signs in to Microsoft’s SMTP hosts with a username and password, which Exchange Online switches off by default at the end of December 2026.',
		kind: 'condition',
		health: true,
		repeats: false
	},
	'account-locked': {
		type: 'account-locked',
		title: 'Account locked out',
		description: 'A console or user account is locked after repeated failed sign-ins.',
		kind: 'event',
		health: false,
		repeats: true
	},
	'recovery-codes-low': {
		type: 'recovery-codes-low',
		title: 'Recovery codes running low',
		description: 'A console account has two unused recovery codes or fewer.',
		kind: 'condition',
		health: false,
		repeats: false
	},
	'totp-reset': {
		type: 'totp-reset',
		title: 'TOTP reset by an admin',
		description: 'An administrator reset a user’s authenticator.',
		kind: 'event',
		health: false,
		repeats: true
	},
	'smtp-switched-off': {
		type: 'smtp-switched-off',
		title: 'SMTP configuration switched off',
		description:
			'The site’s SMTP configuration is switched off: no reset link or site e-mail goes out.',
		kind: 'condition',
		health: false,
		repeats: true
	}
};

export function isAlertType(value: string): value is AlertType {
	return (ALERT_TYPES as readonly string[]).includes(value);
}
