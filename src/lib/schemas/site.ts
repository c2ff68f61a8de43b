/** Site Config: the SMTP switch, the three e-mails, default recipients, and the accounts (SMTP off). */
import { z } from 'zod';
import {
	confirmation,
	enteredPassword,
	newPassword,
	newPasswordOrBlank,
	secretText,
	singleLine,
	username
} from './fields.js';
import { parseRecipientList } from '../recipients.js';

const email = (label: string) =>
	singleLine(label, `Enter the ${label}.`)
		.min(1, `Enter the ${label}.`)
		.max(254, `${label} is too long.`)
		.pipe(z.email(`${label} is not an e-mail address.`));

/** UI Admin Email, UI Primary Customer Support Email, Admiral Alert Email: distinct, compared lower-cased. */
export const siteEmailsSchema = z
	.object({
		adminEmail: email('UI Admin Email'),
		supportEmail: email('UI Primary Customer Support Email'),
		alertEmail: email('Admiral Alert Email'),
		currentPassword: secretText('Password', 128)
	})
	.superRefine((v, ctx) => {
		const admin = v.adminEmail.toLowerCase();
		const support = v.supportEmail.toLowerCase();
		const alert = v.alertEmail.toLowerCase();
		if (support && support === admin)
			ctx.addIssue({
				code: 'custom',
				path: ['supportEmail'],
				message: 'Must differ from the UI Admin Email.'
			});
		if (alert && (alert === admin || alert === support))
			ctx.addIssue({
				code: 'custom',
				path: ['alertEmail'],
				message: 'Must differ from the UI Admin Email and the UI Primary Customer Support Email.'
			});
	});

export const defaultRecipientsSchema = z.object({
	// one line (an <input>): the list is comma-separated
	defaultRecipients: singleLine('Default recipients')
		.max(10_000)
		.superRefine((text, ctx) => {
			const parsed = parseRecipientList(text);
			if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
		})
});

/** An IANA time zone name this runtime knows (Europe/Paris, UTC). */
export function isTimeZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en-GB', { timeZone: zone });
		return zone !== '';
	} catch {
		return false;
	}
}

/** The zones the select offers: UTC first, then every IANA zone the runtime lists. */
export function timeZoneChoices(): string[] {
	return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
}

export const siteTimeZoneSchema = z.object({
	timeZone: singleLine('Time zone').refine(isTimeZone, 'Choose a time zone from the list.')
});

/** SMTP off: the two console accounts. A blank password keeps the current one (for an existing username). */
export const siteAccountsSchema = z
	.object({
		adminUsername: username('UI Admin Username'),
		adminPassword: newPasswordOrBlank,
		adminConfirm: confirmation,
		supportUsername: username('UI Primary Customer Support Username'),
		supportPassword: newPasswordOrBlank,
		supportConfirm: confirmation,
		currentPassword: enteredPassword
	})
	.superRefine((v, ctx) => {
		if (v.supportUsername.toLowerCase() === v.adminUsername.toLowerCase())
			ctx.addIssue({
				code: 'custom',
				path: ['supportUsername'],
				message: 'Must differ from the UI Admin Username (letter case does not count).'
			});
		if (v.adminConfirm !== v.adminPassword)
			ctx.addIssue({
				code: 'custom',
				path: ['adminConfirm'],
				message: 'The passwords do not match.'
			});
		if (v.supportConfirm !== v.supportPassword)
			ctx.addIssue({
				code: 'custom',
				path: ['supportConfirm'],
				message: 'The passwords do not match.'
			});
	});

/** The switch. Turning SMTP on needs a passing configuration test or an explicit "save without testing". */
export const smtpSwitchSchema = z.object({
	enabled: z.boolean(),
	withoutTest: z.boolean().default(false)
});

export const resetRequestSchema = z.object({ username: username() });
export const resetWithLinkSchema = z
	.object({
		newPassword,
		confirm: confirmation
	})
	.superRefine((v, ctx) => {
		if (v.confirm !== v.newPassword)
			ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The passwords do not match.' });
	});
