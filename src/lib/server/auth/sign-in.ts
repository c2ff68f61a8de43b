/**
 * The console's sign-in: throttle reservation (checked and counted at once, so parallel guesses cannot
 * slip past the limit), credential check, throttle bookkeeping, new session, audit.
 * Returns a value for every expected outcome; the route only turns it into a response.
 */
import { verifyAdminCredentials } from './admins.js';
import { createSession, invalidateSession } from './session.js';
import { describeWait, reserveAttempt, settleSuccess, throttleKeys } from './throttle.js';
import { recordAudit } from '../audit.js';

export type SignInResult =
	{ ok: true; token: string } | { ok: false; reason: 'throttled' | 'invalid'; message: string };

export async function signIn(input: {
	username: string;
	password: string;
	ip?: string;
	userAgent?: string;
	previousToken?: string | null;
}): Promise<SignInResult> {
	const keys = throttleKeys('sign_in', input.username, input.ip);
	const reservation = await reserveAttempt(keys);
	if (!reservation.ok) {
		await recordAudit({
			actor: input.username,
			action: 'auth.sign_in',
			outcome: 'failed',
			ip: input.ip,
			detail: { reason: 'throttled' }
		});
		return {
			ok: false,
			reason: 'throttled',
			message: `Too many failed sign-ins. Try again in ${describeWait(reservation.until)}.`
		};
	}

	const admin = await verifyAdminCredentials(input.username, input.password);
	if (!admin) {
		// the reservation already counted this failure
		const { next } = reservation;
		await recordAudit({
			actor: input.username,
			action: 'auth.sign_in',
			outcome: 'failed',
			ip: input.ip,
			detail: { reason: 'wrong username or password' }
		});
		const message = next
			? `Wrong username or password. Too many failed sign-ins: try again in ${describeWait(next)}.`
			: 'Wrong username or password.';
		return { ok: false, reason: 'invalid', message };
	}

	await settleSuccess(keys);
	// A new token at every sign-in: a token planted before sign-in (session fixation) never becomes valid.
	if (input.previousToken) await invalidateSession(input.previousToken);
	const token = await createSession(admin.id, { ip: input.ip, userAgent: input.userAgent });
	await recordAudit({ actor: admin.username, action: 'auth.sign_in', ip: input.ip });
	return { ok: true, token };
}
