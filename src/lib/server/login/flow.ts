/**
 * The end-user sign-in, as the /login routes call it:
 *
 *   startLogin (domain, username, password)
 *     -> { next: 'portal' }      no second factor: a portal session token
 *     -> { next: 'email-otp' }   a code was mailed: verifyLoginEmailOtp / resendLoginEmailOtp
 *     -> { next: 'totp-setup' }  not enrolled yet (enrollment begun, key mailed if the generator says so):
 *                                getLoginTotpSetup, then confirmLoginTotpSetup
 *     -> { next: 'totp' }        verifyLoginTotp
 *
 * The pending token of the first step opens none of the portal; the second factor swaps it for a new portal
 * token. Rate limits (auth/throttle.ts, counted in the database) per account and per IP on the password, the
 * codes and resends; every password or code check is reserved on the throttle first (checked and counted
 * in one step, so parallel guesses cannot slip past the limit). An unknown user and a wrong password get the
 * same answer. Every expected outcome is a value with a message for the page; exceptions mean a broken
 * invariant.
 */
import type { DomainRow, OtpGeneratorRow, UserSessionRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import {
	describeWait,
	releaseAttempt,
	reserveAttempt,
	settleSuccess,
	throttleKeys,
	type ThrottleKey
} from '../auth/throttle.js';
import { directoryForDomain } from '../directory/index.js';
import { DirectoryError, type DirectoryUser } from '../directory/types.js';
import {
	RESEND_COOLDOWN_MS,
	describeEmailOtp,
	emailOtpRefusal,
	issueEmailOtp,
	supersedeLoginCodes,
	verifyEmailOtp,
	type EmailOtpSettings
} from '../otp/email-otp.js';
import { maskEmail, type MailSender } from '../otp/mail.js';
import {
	beginTotpEnrollment,
	confirmTotpEnrollment,
	describeTotpSetup,
	enrollmentOptions,
	findTotpEnrollment,
	mailTotpKeyOnce,
	pendingTotpSecret,
	verifyTotpEnrollment,
	type TotpOptions,
	type TotpSetupView
} from '../otp/totp.js';
import { findDomainRow } from '../identity/domains.js';
import { findOtpGeneratorRow } from '../identity/otp-generators.js';
import { OTP_NOTICES, codeNotSentNotice, type OtpNoticeKey } from './notices.js';
import {
	completeLogin,
	findPendingLoginById,
	findSessionRow,
	openLogin,
	signOutUser
} from './sessions.js';

const WRONG_CREDENTIALS = 'Wrong username or password.';
const LOGIN_EXPIRED = 'Your sign-in has expired. Please start again.';
const TOTP_RESET = 'Your authenticator was reset. Sign in again to set it up.';

interface RequestMeta {
	ip?: string;
	userAgent?: string;
	now?: Date;
}

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
	const enrollment = await findTotpEnrollment(domain.id, user.subject);
	await auditPassword(domain, user.username, input.ip, 'ok', 'authenticator code next');
	if (enrollment?.confirmedAt) return { ok: true, next: 'totp', token };
	const login = (await findSessionRow(token, 'password-ok', now))!;
	await prepareTotpSetup(login, generator, input.send, input.ip, now);
	return { ok: true, next: 'totp-setup', token };
}

/** Where a pending sign-in stands (the code pages' load): null sends the user back to /login. */
export async function getPendingLogin(
	token: string | null | undefined,
	now = new Date()
): Promise<PendingLogin | null> {
	const login = await findSessionRow(token, 'password-ok', now);
	if (!login || login.factor === 'none') return null;
	const domain = await findDomainRow(login.domainId);
	if (!domain) return null;
	let next: PendingLogin['next'] = 'email-otp';
	if (login.factor === 'totp') {
		const enrollment = await findTotpEnrollment(login.domainId, login.subject);
		next = enrollment?.confirmedAt ? 'totp' : 'totp-setup';
	}
	return {
		id: login.id,
		domainId: domain.id,
		domainName: domain.name,
		username: login.username,
		displayName: login.displayName,
		next,
		expiresAt: login.expiresAt
	};
}

// ---- e-mail OTP ---------------------------------------------------------------------------------------------

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

// ---- TOTP ---------------------------------------------------------------------------------------------------

/**
 * What /login/totp/setup shows: the key as text, the QR code (if the generator shows it), the options, and
 * whether the key was e-mailed. Reads only (it serves a GET): the pending enrollment and the key mail come
 * from the password step (prepareTotpSetup). Without a pending enrollment (an admin reset it after the
 * password step) the user signs in again: `not-started`.
 */
export async function getLoginTotpSetup(input: {
	token: string | null | undefined;
	now?: Date;
}): Promise<TotpSetupResult> {
	const now = input.now ?? new Date();
	const login = await findSessionRow(input.token, 'password-ok', now);
	if (!login || login.factor !== 'totp')
		return { ok: false, reason: 'no-login', message: LOGIN_EXPIRED };
	const generator = await generatorOfLogin(login);
	if (!generator || generator.type !== 'totp')
		return {
			ok: false,
			reason: 'not-configured',
			message: 'This domain no longer uses authenticator codes. Please start again.'
		};
	const enrollment = await findTotpEnrollment(login.domainId, login.subject);
	if (enrollment?.confirmedAt)
		return { ok: false, reason: 'enrolled', message: 'Your authenticator is already set up.' };
	if (!enrollment) return { ok: false, reason: 'not-started', message: TOTP_RESET };
	const setup = await describeTotpSetup({
		enrollment,
		secret: pendingTotpSecret(enrollment),
		issuer: generator.issuer || 'Postern',
		account: accountLabel(login),
		showQr: generator.showQr
	});
	let keyMailedTo: string | null = null;
	let keyMailNotice: string | null = null;
	if (generator.sendKeyByEmail) {
		if (!login.email)
			keyMailNotice = 'Your account has no e-mail address, so the key was not e-mailed.';
		else if (enrollment.keyMailedAt) keyMailedTo = maskEmail(login.email);
		else keyMailNotice = 'The key could not be e-mailed; it is shown here.';
	}
	return { ok: true, setup: { ...setup, keyMailedTo, keyMailNotice } };
}

/**
 * The password step of a TOTP login that is not enrolled yet (a POST, so the setup page itself only reads):
 * creates the pending enrollment, or keeps the one an earlier sign-in began, and, when the generator sends
 * keys by e-mail, mails the key: once per enrollment (first enrollment, or the new one after a reset). A send
 * that failed is tried again at the next sign-in.
 */
async function prepareTotpSetup(
	login: UserSessionRow,
	generator: OtpGeneratorRow,
	send: MailSender,
	ip: string | undefined,
	now: Date
) {
	const begun = await beginTotpEnrollment(
		{ domainId: login.domainId, subject: login.subject, username: login.username },
		totpOptions(generator)
	);
	if (!begun || !generator.sendKeyByEmail || begun.enrollment.keyMailedAt) return;
	if (!login.email) {
		await recordAudit({
			actor: login.username,
			action: 'login.no_email',
			outcome: 'failed',
			ip,
			detail: {
				domainId: login.domainId,
				username: login.username,
				reason: 'the authenticator key could not be mailed: no e-mail address'
			}
		});
		return;
	}
	if (!generator.smtpServerId || !generator.sender) return;
	await mailTotpKeyOnce({
		enrollment: begun.enrollment,
		secret: begun.secret,
		to: login.email,
		issuer: generator.issuer || 'Postern',
		account: accountLabel(login),
		smtpServerId: generator.smtpServerId,
		from: generator.sender,
		send,
		ip,
		now
	});
}

/** What /login/totp shows. */
export async function describeLoginTotp(
	token: string | null | undefined,
	now = new Date()
): Promise<{ digits: 6 | 8; account: string; issuer: string } | null> {
	const login = await findSessionRow(token, 'password-ok', now);
	if (!login || login.factor !== 'totp') return null;
	const enrollment = await findTotpEnrollment(login.domainId, login.subject);
	const generator = await generatorOfLogin(login);
	return {
		digits: enrollment ? enrollmentOptions(enrollment).digits : generator?.digits === 8 ? 8 : 6,
		account: accountLabel(login),
		issuer: generator?.issuer || 'Postern'
	};
}

/** Confirms the new authenticator with a current code, then opens the portal. */
export async function confirmLoginTotpSetup(
	input: { token: string | null | undefined; code: string } & RequestMeta
): Promise<SecondFactorResult> {
	const now = input.now ?? new Date();
	const login = await findSessionRow(input.token, 'password-ok', now);
	if (!login || login.factor !== 'totp') return expired();
	const enrollment = await findTotpEnrollment(login.domainId, login.subject);
	// reset meanwhile: the next sign-in begins a new enrollment (and mails its key)
	if (!enrollment) return { ok: false, reason: 'setup-required', message: TOTP_RESET };
	if (enrollment.confirmedAt)
		return { ok: false, reason: 'enrolled', message: 'Your authenticator is already set up.' };
	const keys = secondFactorKeys('user_totp', login, input.ip);
	const reservation = await reserve(keys, now);
	if (!reservation.ok) return reservation.refused;
	const result = await confirmTotpEnrollment({
		enrollmentId: enrollment.id,
		code: input.code,
		now
	});
	if (!result.ok) {
		// the reservation already counted this failure
		await auditSecondFactor(login, input.ip, 'totp-setup', result.reason);
		return {
			ok: false,
			reason: 'invalid',
			message:
				'This code is not right. Check that the app’s clock is correct and try the current code.'
		};
	}
	await settleSuccess(keys);
	await recordAudit({
		actor: login.username,
		action: 'totp.enrolled',
		ip: input.ip,
		detail: { domainId: login.domainId, username: login.username }
	});
	return finish(login, input, 'totp-setup', now);
}

export async function verifyLoginTotp(
	input: { token: string | null | undefined; code: string } & RequestMeta
): Promise<SecondFactorResult> {
	const now = input.now ?? new Date();
	const login = await findSessionRow(input.token, 'password-ok', now);
	if (!login || login.factor !== 'totp') return expired();
	const keys = secondFactorKeys('user_totp', login, input.ip);
	const reservation = await reserve(keys, now);
	if (!reservation.ok) return reservation.refused;
	const result = await verifyTotpEnrollment({
		domainId: login.domainId,
		subject: login.subject,
		code: input.code,
		now
	});
	if (!result.ok) {
		if (result.reason === 'not-enrolled') {
			// nothing was checked
			await releaseAttempt(keys);
			return { ok: false, reason: 'setup-required', message: TOTP_RESET };
		}
		// the reservation already counted this failure
		await auditSecondFactor(login, input.ip, 'totp', result.reason);
		return result.reason === 'replay'
			? {
					ok: false,
					reason: 'replay',
					message: 'This code was already used. Wait for the next one.'
				}
			: { ok: false, reason: 'invalid', message: 'This code is not right. Try the current one.' };
	}
	await settleSuccess(keys);
	return finish(login, input, 'totp', now);
}

// ---- helpers ------------------------------------------------------------------------------------------------

async function sendCode(
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
		subject: login.subject,
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

async function finish(
	login: UserSessionRow,
	meta: RequestMeta,
	method: 'email-otp' | 'totp' | 'totp-setup',
	now: Date
): Promise<SecondFactorResult> {
	const token = await completeLogin(login, meta, now);
	if (!token) return expired();
	// Unspent codes of this sign-in are of no more use.
	await supersedeLoginCodes(login.id, now);
	await auditSecondFactor(login, meta.ip, method, null);
	return { ok: true, token };
}

async function generatorOfLogin(login: UserSessionRow): Promise<OtpGeneratorRow | null> {
	const domain = await findDomainRow(login.domainId);
	return findOtpGeneratorRow(domain?.otpGeneratorId ?? null);
}

function emailSettings(generator: OtpGeneratorRow): EmailOtpSettings | null {
	if (!generator.smtpServerId || !generator.sender) return null;
	return {
		smtpServerId: generator.smtpServerId,
		sender: generator.sender,
		codeLength: generator.codeLength,
		validitySeconds: generator.validitySeconds,
		appName: generator.name
	};
}

function totpOptions(generator: OtpGeneratorRow): TotpOptions {
	return enrollmentOptions(generator);
}

/** The account name in the authenticator app: the username (a colon would split the otpauth label). */
function accountLabel(login: UserSessionRow) {
	return login.username.replace(/:/g, '_');
}

function secondFactorKeys(scope: string, login: UserSessionRow, ip: string | undefined) {
	return throttleKeys(scope, `${login.domainId}:${login.subject}`, ip);
}

/** Reserves a code check on the throttle, or the answer when the keys are blocked. */
async function reserve(
	keys: ThrottleKey[],
	now: Date
): Promise<{ ok: true } | { ok: false; refused: SecondFactorResult }> {
	const reservation = await reserveAttempt(keys, now);
	if (reservation.ok) return { ok: true };
	return {
		ok: false,
		refused: {
			ok: false,
			reason: 'throttled',
			message: `Too many wrong codes. Try again in ${describeWait(reservation.until, now)}.`
		}
	};
}

/** The request's address and browser, as the session row keeps them. */
function meta(input: RequestMeta) {
	return { ip: input.ip, userAgent: input.userAgent };
}

function expired(): SecondFactorResult {
	return { ok: false, reason: 'no-login', message: LOGIN_EXPIRED };
}

function secondsUntil(at: Date, now: Date) {
	return Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 1000));
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

async function auditSecondFactor(
	login: UserSessionRow,
	ip: string | undefined,
	method: string,
	failure: string | null
) {
	await recordAudit({
		actor: login.username,
		action: 'login.second_factor',
		outcome: failure ? 'failed' : 'ok',
		ip,
		detail: { domainId: login.domainId, method, ...(failure ? { reason: failure } : {}) }
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

export interface PendingLogin {
	id: string;
	domainId: string;
	domainName: string;
	username: string;
	displayName: string;
	next: 'email-otp' | 'totp-setup' | 'totp';
	expiresAt: Date;
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

export type SecondFactorResult =
	| { ok: true; token: string }
	| {
			ok: false;
			reason:
				| 'invalid'
				| 'burned'
				| 'expired'
				| 'no-code'
				| 'replay'
				| 'throttled'
				| 'no-login'
				| 'setup-required'
				| 'enrolled';
			message: string;
			attemptsLeft?: number;
	  };

export type ResendResult =
	| { ok: true; destination: string; cooldownSeconds: number; message: string }
	| {
			ok: false;
			reason: 'cooldown' | 'limit' | 'mail-failed' | 'no-login' | 'not-configured';
			message: string;
			cooldownSeconds: number;
	  };

export type TotpSetupResult =
	| {
			ok: true;
			setup: TotpSetupView & {
				/** Masked address the key was mailed to (now or earlier in this enrollment), or null. */
				keyMailedTo: string | null;
				/** Why the key was not mailed although the generator mails keys, or null. */
				keyMailNotice: string | null;
			};
	  }
	| {
			ok: false;
			reason: 'no-login' | 'not-configured' | 'enrolled' | 'not-started';
			message: string;
	  };
