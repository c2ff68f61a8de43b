/**
 * The e-mail code step of a sign-in: what /login/otp shows, checking the code, the user's "Resend code" and
 * an admin's resend from the mail log. Codes themselves (digits, hashes, limits) are otp/email-otp.ts's.
 */
import type { OtpGeneratorRow, UserSessionRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import { describeWait, releaseAttempt, settleSuccess } from '../auth/throttle.js';
import {
	RESEND_COOLDOWN_MS,
	describeEmailOtp,
	emailOtpRefusal,
	issueEmailOtp,
	verifyEmailOtp,
	type EmailOtpSettings
} from '../otp/email-otp.js';
import { maskEmail, type MailSender } from '../otp/mail.js';
import { LOGIN_EXPIRED, generatorOfLogin, type RequestMeta } from './pending-login.js';
import {
	auditSecondFactor,
	expired,
	finish,
	reserve,
	secondFactorKeys,
	type SecondFactorResult
} from './second-factor.js';
import { findPendingLoginById, findSessionRow } from './sessions.js';

/** What /login/otp shows: masked address, code length, validity, tries left, seconds until "Resend". */
export async function describeLoginEmailOtp(
	token: string | null | undefined,
	now = new Date()
): Promise<LoginEmailOtpView | null> {
	const login = await findSessionRow(token, 'password-ok', now);
	if (!login || login.factor !== 'email-otp') return null;
	const generator = await generatorOfLogin(login);
	const status = await describeEmailOtp(login.id, now);
	return {
		destination: status?.destination ?? (login.email ? maskEmail(login.email) : null),
		codeLength: generator?.codeLength ?? 6,
		validMinutes: Math.round((generator?.validitySeconds ?? 300) / 60),
		expiresAt: status?.expiresAt ?? null,
		expired: status?.expired ?? false,
		attemptsLeft: status?.attemptsLeft ?? 0,
		usedUp: status?.usedUp ?? false,
		cooldownSeconds: status?.cooldownSeconds ?? 0
	};
}

export async function verifyLoginEmailOtp(
	input: { token: string | null | undefined; code: string } & RequestMeta
): Promise<SecondFactorResult> {
	const now = input.now ?? new Date();
	const login = await findSessionRow(input.token, 'password-ok', now);
	if (!login || login.factor !== 'email-otp') return expired();
	// A code that cannot be checked (used up, expired, none) is said so at once: the account's delay after
	// the 5th wrong try must not hide that only a new code helps.
	const refusal = await emailOtpRefusal(login.id, now);
	if (refusal) {
		await auditSecondFactor(login, input.ip, 'email-otp', refusal.reason);
		return refusal;
	}
	const keys = secondFactorKeys('user_otp', login, input.ip);
	const reservation = await reserve(keys, now);
	if (!reservation.ok) return reservation.refused;
	const result = await verifyEmailOtp({ loginId: login.id, code: input.code, now });
	if (!result.ok) {
		// Wrong or burned counts (kept reserved); expired or spent meanwhile was no guess.
		if (result.reason === 'expired' || result.reason === 'no-code') await releaseAttempt(keys);
		await auditSecondFactor(login, input.ip, 'email-otp', result.reason);
		return {
			ok: false,
			reason: result.reason,
			message: result.message,
			...(result.reason === 'invalid' ? { attemptsLeft: result.attemptsLeft } : {})
		};
	}
	await settleSuccess(keys);
	return finish(login, input, 'email-otp', now);
}

/**
 * "Resend": a new code (30 s apart; 5 per 15 minutes per account, 25 per IP: email-otp.ts). An early or
 * over-limit request changes nothing (no code, no mail; the current code stays as it was) and says how long
 * to wait.
 */
export async function resendLoginEmailOtp(
	input: { token: string | null | undefined; send: MailSender } & RequestMeta
): Promise<ResendResult> {
	const now = input.now ?? new Date();
	const login = await findSessionRow(input.token, 'password-ok', now);
	return resendCode(login, input.send, input.ip, now);
}

/**
 * An admin's "Resend" of a sign-in code that could not be delivered (the mail log): a fresh code for the same
 * sign-in, if the user is still on the code page, under the same limits as the user's own "Resend code".
 * The failed code itself is never sent again.
 */
export async function resendCodeForLogin(
	loginId: string,
	send: MailSender,
	now = new Date()
): Promise<ResendResult> {
	const login = await findPendingLoginById(loginId, now);
	return resendCode(login, send, undefined, now, false);
}

async function resendCode(
	login: UserSessionRow | null,
	send: MailSender,
	ip: string | undefined,
	now: Date,
	cooldown = true
): Promise<ResendResult> {
	if (!login || login.factor !== 'email-otp')
		return { ok: false, reason: 'no-login', message: LOGIN_EXPIRED, cooldownSeconds: 0 };
	const generator = await generatorOfLogin(login);
	const settings = generator?.type === 'email' ? emailSettings(generator) : null;
	if (!settings || !login.email)
		return {
			ok: false,
			reason: 'not-configured',
			message: 'Codes cannot be sent for this domain right now. Ask your administrator.',
			cooldownSeconds: 0
		};
	const sent = await sendCode(login, settings, send, ip, now, cooldown);
	if (!sent.ok)
		return {
			ok: false,
			reason: sent.reason,
			// Without JavaScript the button is always there to press: an early press gets how long to wait.
			message:
				sent.reason === 'cooldown'
					? `A new code can be sent ${RESEND_COOLDOWN_MS / 1000} seconds after the last one. Wait ${describeWait(sent.retryAt, now)}, then ask again.`
					: sent.message,
			cooldownSeconds: secondsUntil(sent.retryAt, now)
		};
	return {
		ok: true,
		destination: sent.destination,
		cooldownSeconds: secondsUntil(sent.resendAt, now),
		message: sent.delayed
			? `A new code is on its way to ${sent.destination}; the mail server is slow to take it, so it may take a few minutes.`
			: `A new code was sent to ${sent.destination}.`
	};
}

export async function sendCode(
	login: UserSessionRow,
	settings: EmailOtpSettings,
	send: MailSender,
	ip: string | undefined,
	now: Date,
	cooldown = true
) {
	const result = await issueEmailOtp({
		cooldown,
		loginId: login.id,
		domainId: login.domainId,
		personKey: login.personKey,
		to: login.email!,
		settings,
		send,
		ip,
		now
	});
	await recordAudit({
		actor: login.username,
		action: 'login.code_sent',
		outcome: result.ok ? 'ok' : 'failed',
		ip,
		detail: {
			domainId: login.domainId,
			to: maskEmail(login.email!),
			...(result.ok ? {} : { reason: result.reason })
		}
	});
	return result;
}

export function emailSettings(generator: OtpGeneratorRow): EmailOtpSettings | null {
	if (!generator.smtpServerId || !generator.sender) return null;
	return {
		smtpServerId: generator.smtpServerId,
		fallbackSmtpServerId: generator.fallbackSmtpServerId,
		sender: generator.sender,
		codeLength: generator.codeLength,
		validitySeconds: generator.validitySeconds,
		appName: generator.name
	};
}

function secondsUntil(at: Date, now: Date) {
	return Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 1000));
}

export interface LoginEmailOtpView {
	/** j***@example.com */
	destination: string | null;
	codeLength: number;
	validMinutes: number;
	expiresAt: Date | null;
	expired: boolean;
	attemptsLeft: number;
	/** The code's tries are used up: the page offers a new code instead. */
	usedUp: boolean;
	/** Seconds until "Resend" may be used (0: now). */
	cooldownSeconds: number;
}

export type ResendResult =
	| { ok: true; destination: string; cooldownSeconds: number; message: string }
	| {
			ok: false;
			reason: 'cooldown' | 'limit' | 'mail-failed' | 'no-login' | 'not-configured';
			message: string;
			cooldownSeconds: number;
	  };
