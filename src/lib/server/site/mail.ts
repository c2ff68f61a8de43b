/**
 * The site's own e-mail: alerts and password-reset links, through the site's SMTP server and the outbox, and
 * only while SMTP configuration is switched on. Switching it off stops every site e-mail at this one gate.
 */
import { enqueue } from '../outbox/enqueue.js';
import { awaitFirstAttempt } from '../outbox/wait.js';
import type { MailKind } from '../outbox/message.js';
import { getSiteSettings } from './settings.js';

export interface SiteMessage {
	kind: Extract<MailKind, 'reset-link' | 'alert'>;
	to: string;
	subject: string;
	text: string;
	html?: string;
	/** The body holds a link or a secret: erased from the outbox once done. */
	carriesSecret: boolean;
	/** The console account a reset link is for, so a resend makes a fresh link. */
	origin?: { accountId?: string };
	/** Set on an admin's resend: the failed message it replaces. */
	resentFrom?: string;
}

export type SiteMailResult =
	/** `delayed`: the first attempt did not go through yet; the outbox keeps trying. */
	| { sent: true; messageId: string; delayed: boolean }
	| { sent: false; reason: 'smtp-off' | 'failed' };

export async function sendSiteMail(message: SiteMessage): Promise<SiteMailResult> {
	const settings = await getSiteSettings();
	if (!settings.smtpEnabled || !settings.smtpServerId) return { sent: false, reason: 'smtp-off' };
	const id = await enqueue({
		kind: message.kind,
		serverId: settings.smtpServerId,
		to: [message.to],
		subject: message.subject,
		text: message.text,
		html: message.html,
		carriesSecret: message.carriesSecret,
		origin: message.origin,
		resentFrom: message.resentFrom
	});
	const state = await awaitFirstAttempt(id);
	if (state.status === 'failed') return { sent: false, reason: 'failed' };
	return { sent: true, messageId: id, delayed: state.status !== 'sent' };
}

/** Where links in site e-mails point: POSTERN_PUBLIC_URL, else the console address the admin last saved from. */
export async function siteBaseUrl(publicUrl: string | undefined): Promise<string | null> {
	if (publicUrl) return publicUrl;
	return (await getSiteSettings()).siteUrl ?? null;
}
