/** "Forgot password?": a username, one recovery code and a new password. The code is spent on success. */
import { findAdminByUsername, setAdminPassword } from './admins.js';
import { consumeRecoveryCode, countUnusedRecoveryCodes } from './recovery-codes.js';
import { invalidateAdminSessions } from './session.js';
import { spendPasswordVerification } from './password.js';
import {
	checkThrottle,
	describeWait,
	recordFailure,
	recordSuccess,
	throttleKeys
} from './throttle.js';
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
	const blockedUntil = await checkThrottle(keys);
	if (blockedUntil)
		return {
			ok: false,
			status: 429,
			message: `Too many failed attempts. Try again in ${describeWait(blockedUntil)}.`
		};

	const admin = await findAdminByUsername(input.username);
	const spent = admin
		? await consumeRecoveryCode(admin.id, input.recoveryCode)
		: (await spendPasswordVerification(input.recoveryCode), false);
	if (!admin || !spent) {
		const next = await recordFailure(keys);
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

	await recordSuccess(keys);
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
