/**
 * What the e-mail code and authenticator steps share: every code check is reserved on the throttle first
 * (per account and per IP, checked and counted in one step, so parallel guesses cannot slip past the limit),
 * and a passed second factor swaps the pending token for a new portal token.
 */
import type { UserSessionRow } from '../db/schema/index.js';
import { recordAudit } from '../audit.js';
import { describeWait, reserveAttempt, throttleKeys, type ThrottleKey } from '../auth/throttle.js';
import { supersedeLoginCodes } from '../otp/email-otp.js';
import { LOGIN_EXPIRED, type RequestMeta } from './pending-login.js';
import { completeLogin } from './sessions.js';

/** The throttle keys of a code check: the person in the domain, and the requesting IP. */
export function secondFactorKeys(scope: string, login: UserSessionRow, ip: string | undefined) {
	return throttleKeys(scope, `${login.domainId}:${login.personKey}`, ip);
}

/** Reserves a code check on the throttle, or the answer when the keys are blocked. */
export async function reserve(
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

export async function finish(
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

export async function auditSecondFactor(
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

export function expired(): SecondFactorResult {
	return { ok: false, reason: 'no-login', message: LOGIN_EXPIRED };
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
