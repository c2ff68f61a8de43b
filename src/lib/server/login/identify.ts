/**
 * The first step of a sign-in: the password, checked by the domain's directory. An unknown user and a wrong
 * password get the same answer; attempts are limited per account and per IP (reserved on the throttle before
 * the check). On success the pending sign-in is opened and its second factor started (a code mailed, or the
 * authenticator enrollment begun), or, when the domain has none, the portal session at once.
 */
import type { DomainRow, OtpGeneratorRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import {
	describeWait,
	releaseAttempt,
	reserveAttempt,
	settleSuccess,
	throttleKeys
} from '../auth/throttle.js';
import { directoryForDomain } from '../directory/index.js';
import { DirectoryError, type DirectoryUser } from '../directory/types.js';
import type { MailSender } from '../otp/mail.js';
import { findTotpEnrollment } from '../otp/totp-store.js';
import { findDomainRow } from '../identity/domains.js';
import { findOtpGeneratorRow } from '../identity/otp-generators.js';
import { OTP_NOTICES, codeNotSentNotice, type OtpNoticeKey } from './notices.js';
import { emailSettings, sendCode } from './otp-step.js';
import { meta, type RequestMeta } from './pending-login.js';
import { findSessionRow, openLogin, signOutUser } from './sessions.js';
import { prepareTotpSetup } from './totp-step.js';

const WRONG_CREDENTIALS = 'Wrong username or password.';

/**
 * Step 1: the password. On success, what comes next and the token for it (pending, or the portal's when the
 * domain has no second factor). `previousTokens` (the browser's current sign-in cookies) are ended first.
 */
export async function startLogin(
	input: {
		domainId: string;
		username: string;
		password: string;
		send: MailSender;
		previousTokens?: (string | null | undefined)[];
	} & RequestMeta
): Promise<StartLoginResult> {
	const now = input.now ?? new Date();
	for (const token of input.previousTokens ?? []) await signOutUser(token, { ip: input.ip });
	const domain = await findDomainRow(input.domainId);
	if (!domain)
		return { ok: false, reason: 'unknown-domain', message: 'Choose your domain from the list.' };
	const username = input.username.trim();
	const keys = throttleKeys('user_sign_in', `${domain.id}:${username}`, input.ip);
	const reservation = await reserveAttempt(keys, now);
	if (!reservation.ok) {
		await auditPassword(domain, username, input.ip, 'failed', 'throttled');
		return {
			ok: false,
			reason: 'throttled',
			retryAt: reservation.until,
			message: `Too many failed sign-ins. Try again in ${describeWait(reservation.until, now)}.`
		};
	}

	let user: DirectoryUser | null;
	try {
		user = await directoryForDomain(domain).authenticate(username, input.password);
	} catch (error) {
		// the password was never checked: not a failure of the user's
		await releaseAttempt(keys);
		if (!(error instanceof DirectoryError)) throw error;
		await auditPassword(domain, username, input.ip, 'failed', 'directory unavailable', {
			diagnosis: error.diagnosis.id
		});
		return {
			ok: false,
			reason: 'unavailable',
			message:
				'Sign-in is not available right now: the directory cannot be reached. Try again later.'
		};
	}
	if (!user) {
		// the reservation already counted this failure
		const { next } = reservation;
		await auditPassword(domain, username, input.ip, 'failed', 'wrong username or password');
		return {
			ok: false,
			reason: 'invalid',
			...(next ? { retryAt: next } : {}),
			message: next
				? `${WRONG_CREDENTIALS} Too many failed sign-ins: try again in ${describeWait(next, now)}.`
				: WRONG_CREDENTIALS
		};
	}
	await settleSuccess(keys);

	const generator = await findOtpGeneratorRow(domain.otpGeneratorId);
	if (!generator) {
		const token = await openLogin(
			{ domainId: domain.id, user, factor: 'none', stage: 'complete', ...meta(input) },
			now
		);
		await auditPassword(domain, user.username, input.ip, 'ok', 'no second factor');
		return { ok: true, next: 'portal', token };
	}

	if (generator.type === 'email') {
		const settings = emailSettings(generator);
		if (!user.email) {
			await recordAudit({
				actor: user.username,
				action: 'login.no_email',
				outcome: 'failed',
				ip: input.ip,
				detail: {
					domain: domain.name,
					username: user.username,
					reason: `no e-mail address in the attribute "${domain.emailAttribute}", so no code can be sent`
				}
			});
			return {
				ok: false,
				reason: 'no-email',
				message:
					'Your account has no e-mail address, so no sign-in code can be sent. Ask your administrator to add one.'
			};
		}
		if (!settings) return notConfigured(domain, user, generator, input.ip);
		const token = await openLogin(
			{ domainId: domain.id, user, factor: 'email-otp', ...meta(input) },
			now
		);
		await auditPassword(domain, user.username, input.ip, 'ok', 'code by e-mail next');
		const login = (await findSessionRow(token, 'password-ok', now))!;
		const sent = await sendCode(login, settings, input.send, input.ip, now);
		return {
			ok: true,
			next: 'email-otp',
			token,
			codeSent: sent.ok,
			...(sent.ok
				? sent.delayed
					? { notice: OTP_NOTICES['code-delayed'], noticeKey: 'code-delayed' as const }
					: {}
				: { notice: sent.message, noticeKey: codeNotSentNotice(sent.reason) })
		};
	}

	const token = await openLogin({ domainId: domain.id, user, factor: 'totp', ...meta(input) }, now);
	const enrollment = await findTotpEnrollment(domain.id, user.personKey);
	await auditPassword(domain, user.username, input.ip, 'ok', 'authenticator code next');
	if (enrollment?.confirmedAt) return { ok: true, next: 'totp', token };
	const login = (await findSessionRow(token, 'password-ok', now))!;
	await prepareTotpSetup(login, generator, input.send, input.ip, now);
	return { ok: true, next: 'totp-setup', token };
}

async function notConfigured(
	domain: DomainRow,
	user: DirectoryUser,
	generator: OtpGeneratorRow,
	ip: string | undefined
): Promise<StartLoginResult> {
	await auditPassword(
		domain,
		user.username,
		ip,
		'failed',
		'OTP generator has no SMTP server or sender',
		{
			generator: generator.name
		}
	);
	return {
		ok: false,
		reason: 'not-configured',
		message: 'Sign-in codes cannot be sent for this domain yet. Ask your administrator.'
	};
}

async function auditPassword(
	domain: DomainRow,
	username: string,
	ip: string | undefined,
	outcome: 'ok' | 'failed',
	reason: string,
	extra: Record<string, unknown> = {}
) {
	await recordAudit({
		actor: username,
		action: 'login.password',
		outcome,
		ip,
		detail: { domain: domain.name, reason, ...extra }
	});
}

export type StartLoginResult =
	| { ok: true; next: 'portal'; token: string }
	| {
			ok: true;
			next: 'email-otp';
			/** The pending token (cookie until the code is entered). */
			token: string;
			/** False when the code could not be sent (limit, mail failure): `notice` says why; "Resend" later. */
			codeSent: boolean;
			notice?: string;
			/** The same for /login/otp?notice= (a key of OTP_NOTICES: never free text in a URL). */
			noticeKey?: OtpNoticeKey;
	  }
	| { ok: true; next: 'totp-setup' | 'totp'; token: string }
	| {
			ok: false;
			reason:
				'invalid' | 'throttled' | 'unknown-domain' | 'unavailable' | 'no-email' | 'not-configured';
			message: string;
			retryAt?: Date;
	  };
