/**
 * "Resend" on a failed message of the mail log. A message without a secret goes again as it was (same body,
 * a new Message-ID, linked to the failed one). A message that carried a secret has no body left (erased when
 * it was given up), and its secret must not live on anyway: its producer makes a fresh one. A sign-in code
 * becomes a new code for the same sign-in (if the user is still on the code page); a reset link becomes a new
 * link for the same account. The rest (TOTP keys, sample codes, configuration tests) are not resent: the page
 * says what to do instead.
 */
import { recordAudit, type AuditContext } from './audit.js';
import { findAdminById } from './auth/admins.js';
import { enqueue } from './outbox/enqueue.js';
import { findMailLogEntry } from './outbox/log.js';
import { openBody } from './outbox/store.js';
import type { MailKind } from './outbox/message.js';
import { resendCodeForLogin } from './login/flow.js';
import { requestResetLink } from './site/reset-by-mail.js';
import { sendSiteMail } from './site/mail.js';
import { sendUserMail } from './user-mail.js';

export type ResendOutcome = { ok: true; message: string } | { ok: false; message: string };

/** Why a kind cannot be resent, in the words the log shows next to a failed row; null: it can. */
export function whyNotResendable(kind: MailKind): string | null {
	switch (kind) {
		case 'totp-key':
			return 'A TOTP key is not mailed twice: reset the user’s TOTP, and a new key is made at their next sign-in.';
		case 'sample-code':
			return 'Run the OTP generator’s configuration test again.';
		case 'config-test':
			return 'Run the SMTP server’s configuration test again.';
		default:
			return null;
	}
}

export async function resendMessage(id: string, audit: AuditContext): Promise<ResendOutcome> {
	const row = await findMailLogEntry(id);
	if (!row) return { ok: false, message: 'This message is no longer in the log.' };
	if (row.status !== 'failed')
		return { ok: false, message: 'Only a failed message can be resent.' };
	const refusal = whyNotResendable(row.kind);
	if (refusal) return { ok: false, message: refusal };

	const outcome = await resendByKind(row);
	await recordAudit({
		actor: audit.actor,
		action: 'mail.resent',
		outcome: outcome.ok ? 'ok' : 'failed',
		ip: audit.ip,
		// metadata only: never a subject or a body (a subject may name a code's purpose, a body holds it)
		detail: { messageId: row.id, kind: row.kind, to: row.recipients }
	});
	return outcome;
}

async function resendByKind(
	row: NonNullable<Awaited<ReturnType<typeof findMailLogEntry>>>
): Promise<ResendOutcome> {
	if (row.kind === 'email-otp') {
		const loginId = row.origin?.loginId;
		if (!loginId) return { ok: false, message: 'This code’s sign-in is not known any more.' };
		const result = await resendCodeForLogin(loginId, (mail) =>
			sendUserMail({ ...mail, resentFrom: row.id })
		);
		if (result.ok) return { ok: true, message: `A new code was sent to ${result.destination}.` };
		return {
			ok: false,
			message:
				result.reason === 'no-login'
					? 'The sign-in this code was for has ended. The user signs in again and gets a new code.'
					: result.message
		};
	}
	if (row.kind === 'reset-link') {
		const account = row.origin?.accountId ? await findAdminById(row.origin.accountId) : undefined;
		if (!account) return { ok: false, message: 'The account this link was for no longer exists.' };
		const request = await requestResetLink({ username: account.username }, (message) =>
			sendSiteMail({ ...message, resentFrom: row.id })
		);
		if (!request.ok) return { ok: false, message: request.message };
		await request.delivery;
		return {
			ok: true,
			message: `A new reset link is on its way to ${account.username}’s e-mail; the old one stays unusable.`
		};
	}
	const body = openBody(row);
	if (!body || !row.serverId)
		return { ok: false, message: 'This message can no longer be sent: its content is gone.' };
	await enqueue({
		kind: row.kind,
		serverId: row.serverId,
		from: { address: row.fromAddress, ...(row.fromName ? { name: row.fromName } : {}) },
		to: row.recipients,
		subject: row.subject,
		text: body.text,
		html: body.html,
		headers: body.headers,
		carriesSecret: row.carriesSecret,
		resentFrom: row.id
	});
	return { ok: true, message: 'The message was queued again.' };
}
