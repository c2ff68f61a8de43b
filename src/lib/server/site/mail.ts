/**
 * The site's own e-mail (seed 003): alerts and password-reset links, through the site's SMTP server, and only
 * while SMTP configuration is switched on. Switching it off stops every site e-mail at this one gate.
 */
import { sendMailWithServer } from '../mail/send.js';
import { log } from '../log.js';
import { getSiteSettings } from './settings.js';

export interface SiteMessage {
	to: string;
	subject: string;
	text: string;
	html?: string;
}

export type SiteMailResult =
	{ sent: true; messageId: string } | { sent: false; reason: 'smtp-off' | 'failed' };

export async function sendSiteMail(message: SiteMessage): Promise<SiteMailResult> {
	const settings = await getSiteSettings();
	if (!settings.smtpEnabled || !settings.smtpServerId) return { sent: false, reason: 'smtp-off' };
	try {
		const info = await sendMailWithServer(settings.smtpServerId, message);
		return { sent: true, messageId: info.messageId };
	} catch (error) {
		log.warn(
			{
				event: 'site_mail_failed',
				code: (error as { code?: string }).code,
				responseCode: (error as { responseCode?: number }).responseCode
			},
			'site e-mail could not be sent'
		);
		return { sent: false, reason: 'failed' };
	}
}

/** Where links in site e-mails point: POSTERN_PUBLIC_URL, else the console address the admin last saved from. */
export async function siteBaseUrl(publicUrl: string | undefined): Promise<string | null> {
	if (publicUrl) return publicUrl;
	return (await getSiteSettings()).siteUrl ?? null;
}
