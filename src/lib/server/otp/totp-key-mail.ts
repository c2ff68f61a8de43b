/**
 * The authenticator key by e-mail, when the generator says so: once per enrollment (the first one, or the new
 * one after a reset), claimed on the enrollment before sending so two sign-ins cannot both mail it, and given
 * back when the send fails so the next sign-in tries again.
 */
import type { TotpEnrollmentRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import { totpKeyMail } from '../mail/templates/totp-key.js';
import { maskEmail, type MailSender } from './mail.js';
import { TOTP_ALGORITHM_NAMES, enrollmentOptions, formatTotpKey } from './totp-crypto.js';
import { claimTotpKeyMail, releaseTotpKeyMail } from './totp-store.js';

/**
 * Mails the key of a pending enrollment, once per enrollment (a reset makes a new one). Returns the masked
 * address, or why not (`already`: mailed before; `failed`: the send failed, reported and cleared so the next
 * sign-in tries again). Throws nothing. Call it from a POST (the password step), never from a page load.
 */
export async function mailTotpKeyOnce(input: {
	enrollment: TotpEnrollmentRow;
	secret: string;
	to: string;
	issuer: string;
	account: string;
	smtpServerId: string;
	fallbackSmtpServerId?: string | null;
	from: string;
	send: MailSender;
	ip?: string;
	now?: Date;
}): Promise<{ sent: true; destination: string } | { sent: false; reason: 'already' | 'failed' }> {
	const now = input.now ?? new Date();
	if (input.enrollment.confirmedAt) return { sent: false, reason: 'already' };
	const claimed = await claimTotpKeyMail(input.enrollment.id, now);
	if (!claimed) return { sent: false, reason: 'already' };
	const options = enrollmentOptions(input.enrollment);
	const key = formatTotpKey(input.secret);
	try {
		await input.send({
			kind: 'totp-key',
			smtpServerId: input.smtpServerId,
			fallbackSmtpServerId: input.fallbackSmtpServerId ?? null,
			from: input.from,
			to: input.to,
			...totpKeyMail({
				issuer: input.issuer,
				account: input.account,
				key,
				algorithmName: TOTP_ALGORITHM_NAMES[options.algorithm],
				digits: options.digits,
				period: options.period
			})
		});
	} catch {
		await releaseTotpKeyMail(input.enrollment.id);
		await recordAudit({
			actor: input.account,
			action: 'totp.key_mailed',
			outcome: 'failed',
			ip: input.ip,
			detail: {
				domainId: input.enrollment.domainId,
				to: maskEmail(input.to),
				reason: 'send failed'
			}
		});
		return { sent: false, reason: 'failed' };
	}
	await recordAudit({
		actor: input.account,
		action: 'totp.key_mailed',
		ip: input.ip,
		detail: {
			domainId: input.enrollment.domainId,
			to: maskEmail(input.to),
			reason: 'first enrollment or after a reset'
		}
	});
	return { sent: true, destination: maskEmail(input.to) };
}
