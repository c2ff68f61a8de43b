/**
 * Password reset by e-mail (issue 4): offered while site SMTP is on. The answer is the same whether or not the
 * account exists or has an e-mail; requests are throttled per account and IP (mail bombing).
 */
import { findAdminById, findAdminByUsername, setAdminPassword } from './admins.js';
import {
	consumeResetToken,
	createResetToken,
	peekResetToken,
	RESET_LINK_TTL_MS
} from './reset-link.js';
import { invalidateAdminSessions } from './session.js';
import { checkThrottle, describeWait, recordFailure, throttleKeys } from './throttle.js';
import { recordAudit } from '../audit.js';
import { sendSiteMail, siteBaseUrl } from '../site/mail.js';
import { getSiteSettings } from '../site/settings.js';

export async function isResetByMailOffered(): Promise<boolean> {
	const settings = await getSiteSettings();
	return settings.smtpEnabled && !!settings.smtpServerId;
}

export type ResetLinkRequest = { ok: true } | { ok: false; message: string };

export async function requestResetLink(input: {
	username: string;
	ip?: string;
	publicUrl?: string;
}): Promise<ResetLinkRequest> {
	const keys = throttleKeys('reset_link', input.username, input.ip);
	const blockedUntil = await checkThrottle(keys);
	if (blockedUntil)
		return { ok: false, message: `Too many requests. Try again in ${describeWait(blockedUntil)}.` };
	// Every request counts, found or not: five links, then a growing wait.
	await recordFailure(keys);
	if (!(await isResetByMailOffered())) return { ok: true };
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
		return { ok: true };
	}
	const token = await createResetToken(admin.id);
	const link = `${base}/admin/reset?token=${encodeURIComponent(token)}`;
	const minutes = RESET_LINK_TTL_MS / 60_000;
	const sent = await sendSiteMail({
		to: admin.email,
		subject: 'Reset your Postern password',
		text: [
			`Someone (hopefully you) asked to reset the password of the Postern console account "${admin.username}".`,
			'',
			`Open this link within ${minutes} minutes to choose a new password. It works once:`,
			link,
			'',
			'If you did not ask for this, ignore this e-mail: your password stays as it is.'
		].join('\n')
	});
	await recordAudit({
		actor: admin.username,
		action: 'site.reset_link_sent',
		outcome: sent.sent ? 'ok' : 'failed',
		ip: input.ip,
		detail: sent.sent ? { to: admin.email } : { reason: sent.reason }
	});
	return { ok: true };
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
