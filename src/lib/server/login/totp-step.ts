/**
 * The authenticator step of a sign-in: enrolling (the setup page, then confirming with a current code) and
 * checking a code of a confirmed enrollment. Enrollments, codes and the key mail are otp/totp-*.ts's.
 */
import type { OtpGeneratorRow, UserSessionRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import { releaseAttempt, settleSuccess } from '../auth/throttle.js';
import { maskEmail, type MailSender } from '../otp/mail.js';
import { enrollmentOptions, type TotpOptions } from '../otp/totp-crypto.js';
import { mailTotpKeyOnce } from '../otp/totp-key-mail.js';
import { describeTotpSetup, type TotpSetupView } from '../otp/totp-qr.js';
import {
	beginTotpEnrollment,
	confirmTotpEnrollment,
	findTotpEnrollment,
	pendingTotpSecret,
	verifyTotpEnrollment
} from '../otp/totp-store.js';
import {
	LOGIN_EXPIRED,
	accountLabel,
	generatorOfLogin,
	type RequestMeta
} from './pending-login.js';
import {
	auditSecondFactor,
	expired,
	finish,
	reserve,
	secondFactorKeys,
	type SecondFactorResult
} from './second-factor.js';
import { findSessionRow } from './sessions.js';

const TOTP_RESET = 'Your authenticator was reset. Sign in again to set it up.';

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
	const enrollment = await findTotpEnrollment(login.domainId, login.personKey);
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
export async function prepareTotpSetup(
	login: UserSessionRow,
	generator: OtpGeneratorRow,
	send: MailSender,
	ip: string | undefined,
	now: Date
) {
	const begun = await beginTotpEnrollment(
		{ domainId: login.domainId, personKey: login.personKey, username: login.username },
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
		fallbackSmtpServerId: generator.fallbackSmtpServerId,
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
	const enrollment = await findTotpEnrollment(login.domainId, login.personKey);
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
	const enrollment = await findTotpEnrollment(login.domainId, login.personKey);
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
		personKey: login.personKey,
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

function totpOptions(generator: OtpGeneratorRow): TotpOptions {
	return enrollmentOptions(generator);
}

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
