/**
 * "Forgot password?": a username, one recovery code and a new password. The code is spent on success.
 * The attempt is reserved on the throttle before any code is verified (checked and counted at once), so
 * parallel guesses cannot slip past the limit.
 */
import { findAdminByUsername, setAdminPassword } from './admins.js';
import { consumeRecoveryCode, countUnusedRecoveryCodes } from './recovery-codes.js';
import { invalidateAdminSessions } from './session.js';
import { describeWait, reserveAttempt, settleSuccess, throttleKeys } from './throttle.js';
import { recordAudit } from '../audit.js';

export type RecoverResult =
	{ ok: true; remaining: number } | { ok: false; message: string; status: number };

export async function resetPasswordWithRecoveryCode(input: {
	username: string;
	recoveryCode: string;
	newPassword: string;
	ip?: string;
}): Promise<RecoverResult> {
	const keys = throttleKeys('recovery', input.username, input.ip);
	const reservation = await reserveAttempt(keys);
	if (!reservation.ok)
		return {
			ok: false,
			status: 429,
			message: `Too many failed attempts. Try again in ${describeWait(reservation.until)}.`
		};

	const admin = await findAdminByUsername(input.username);
	// Verified for an unknown account too: the same work, whatever the answer.
	const spent = await consumeRecoveryCode(admin?.id ?? null, input.recoveryCode);
	if (!admin || !spent) {
		// the reservation already counted this failure
		const { next } = reservation;
		await recordAudit({
			actor: input.username,
			action: 'recovery.used',
			outcome: 'failed',
			ip: input.ip
		});
		return {
			ok: false,
			status: 400,
			message: next
				? `That username and recovery code do not match. Too many failed attempts: try again in ${describeWait(next)}.`
				: 'That username and recovery code do not match an unused code.'
		};
	}

	await settleSuccess(keys);
	await setAdminPassword(admin.id, input.newPassword);
	// Whoever held a session with the forgotten password is signed out.
	await invalidateAdminSessions(admin.id);
	const remaining = await countUnusedRecoveryCodes(admin.id);
	await recordAudit({
		actor: admin.username,
		action: 'recovery.used',
		ip: input.ip,
		detail: { remaining }
	});
	await recordAudit({
		actor: admin.username,
		action: 'account.password_reset',
		ip: input.ip,
		detail: { via: 'recovery code' }
	});
	return { ok: true, remaining };
}
