/**
 * Password reset by e-mail: offered while site SMTP is on. The answer is the same whether or not the
 * account exists or has an e-mail, and so is its time: the mail is handed to SMTP in the background, never
 * awaited by the request (a send takes as long as the SMTP server wants, which would tell an account that
 * exists from one that does not). Requests are throttled per account and IP (mail bombing).
 */
import { findAdminById, findAdminByUsername, setAdminPassword } from '../auth/admins.js';
import {
	consumeResetToken,
	createResetToken,
	peekResetToken,
	RESET_LINK_TTL_MS
} from '../auth/reset-link.js';
import { invalidateAdminSessions } from '../auth/session.js';
import { describeWait, reserveAttempt, throttleKeys } from '../auth/throttle.js';
import { recordAudit } from '../audit.js';
import { log } from '../log.js';
import { sendSiteMail, siteBaseUrl, type SiteMailResult, type SiteMessage } from './mail.js';
import { getSiteSettings } from './settings.js';
import { resetLinkMail } from '../mail/templates/reset-link.js';

export async function isResetByMailOffered(): Promise<boolean> {
	const settings = await getSiteSettings();
	return settings.smtpEnabled && !!settings.smtpServerId;
}

export type ResetLinkRequest =
	| {
			ok: true;
			/**
			 * Settles once the link's e-mail was handed over (or refused) and audited; at once when there is
			 * nothing to send. Never rejects: failures are logged. The request does not wait for it.
			 */
			delivery: Promise<void>;
	  }
	| { ok: false; message: string };

/** How the link's e-mail leaves: the site's mail gate; tests inject a slow or failing one. */
export type ResetMailSender = (message: SiteMessage) => Promise<SiteMailResult>;

const NOTHING_TO_SEND: Promise<void> = Promise.resolve();

export async function requestResetLink(
	input: {
		username: string;
		ip?: string;
		publicUrl?: string;
	},
	send: ResetMailSender = sendSiteMail
): Promise<ResetLinkRequest> {
	const keys = throttleKeys('reset_link', input.username, input.ip);
	// Every request counts, found or not: five links, then a growing wait. Checked and counted in one step,
	// so parallel requests cannot pass the limit.
	const reservation = await reserveAttempt(keys);
	if (!reservation.ok)
		return {
			ok: false,
			message: `Too many requests. Try again in ${describeWait(reservation.until)}.`
		};
	if (!(await isResetByMailOffered())) return { ok: true, delivery: NOTHING_TO_SEND };
	const admin = await findAdminByUsername(input.username);
	const base = await siteBaseUrl(input.publicUrl);
	if (!admin || !admin.email || admin.disabledAt || !base) {
		await recordAudit({
			actor: input.username,
			action: 'site.reset_link_sent',
			outcome: 'failed',
			ip: input.ip,
			detail: {
				reason: !admin
					? 'no such account'
					: !admin.email
						? 'no e-mail on the account'
						: 'no site address known'
			}
		});
		return { ok: true, delivery: NOTHING_TO_SEND };
	}
	const token = await createResetToken(admin.id);
	const link = `${base}/admin/reset?token=${encodeURIComponent(token)}`;
	const minutes = RESET_LINK_TTL_MS / 60_000;
	const message: SiteMessage = {
		kind: 'reset-link',
		to: admin.email,
		carriesSecret: true,
		origin: { accountId: admin.id },
		...resetLinkMail({ username: admin.username, link, minutes })
	};
	const delivery = deliver(send, message, { username: admin.username, ip: input.ip });
	return { ok: true, delivery };
}

/** Sends the link and audits the outcome, in the background; anything that goes wrong is logged, not lost. */
async function deliver(
	send: ResetMailSender,
	message: SiteMessage,
	who: { username: string; ip?: string }
): Promise<void> {
	try {
		const sent = await send(message);
		await recordAudit({
			actor: who.username,
			action: 'site.reset_link_sent',
			outcome: sent.sent ? 'ok' : 'failed',
			ip: who.ip,
			detail: sent.sent ? { to: message.to } : { reason: sent.reason }
		});
	} catch (error) {
		// Never the message itself: it carries the link.
		const e = error as { name?: string; code?: string; message?: string };
		log.error(
			{
				event: 'reset_link_mail_failed',
				account: who.username,
				error: { name: e?.name, code: e?.code, message: e?.message }
			},
			'the password reset e-mail could not be sent'
		);
	}
}

/** The account name a valid link belongs to (to greet the user), or null. */
export async function describeResetLink(token: string): Promise<string | null> {
	const adminId = await peekResetToken(token);
	if (!adminId) return null;
	return (await findAdminById(adminId))?.username ?? null;
}

export async function resetPasswordWithLink(input: {
	token: string;
	newPassword: string;
	ip?: string;
}): Promise<boolean> {
	const adminId = await consumeResetToken(input.token);
	if (!adminId) return false;
	const admin = await findAdminById(adminId);
	if (!admin) return false;
	await setAdminPassword(admin.id, input.newPassword);
	await invalidateAdminSessions(admin.id);
	await recordAudit({ actor: admin.username, action: 'site.reset_link_used', ip: input.ip });
	await recordAudit({
		actor: admin.username,
		action: 'account.password_reset',
		ip: input.ip,
		detail: { via: 'e-mail link' }
	});
	return true;
}
