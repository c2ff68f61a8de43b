/** What a signed-in admin does to their own account: change the password, regenerate recovery codes. */
import { findAdminById, setAdminPassword } from './admins.js';
import { verifyPassword } from './password.js';
import { regenerateRecoveryCodes } from './recovery-codes.js';
import { createSession, invalidateAdminSessions } from './session.js';
import {
	checkThrottle,
	describeWait,
	recordFailure,
	recordSuccess,
	throttleKeys
} from './throttle.js';
import { recordAudit } from '../audit.js';

type Reauth = { ok: true } | { ok: false; message: string; status: 400 | 429 };

/** Re-entering the password before a sensitive change (ASVS 5.0 7.5.1), throttled like a sign-in. */
export async function confirmCurrentPassword(
	adminId: string,
	username: string,
	password: string,
	ip?: string
): Promise<Reauth> {
	const keys = throttleKeys('reauth', username, ip);
	const blockedUntil = await checkThrottle(keys);
	if (blockedUntil)
		return {
			ok: false,
			status: 429,
			message: `Too many wrong passwords. Try again in ${describeWait(blockedUntil)}.`
		};
	const admin = await findAdminById(adminId);
	if (admin && (await verifyPassword(admin.passwordHash, password))) {
		await recordSuccess(keys);
		return { ok: true };
	}
	await recordFailure(keys);
	return { ok: false, status: 400, message: 'The current password is not correct.' };
}

/** Sets the new password, signs out every other session and returns a fresh token for this one. */
export async function changeOwnPassword(input: {
	adminId: string;
	username: string;
	newPassword: string;
	ip?: string;
	userAgent?: string;
}) {
	await setAdminPassword(input.adminId, input.newPassword);
	await invalidateAdminSessions(input.adminId);
	const token = await createSession(input.adminId, { ip: input.ip, userAgent: input.userAgent });
	await recordAudit({
		actor: input.username,
		action: 'account.password_changed',
		ip: input.ip,
		detail: { otherSessionsEnded: true }
	});
	return token;
}

export async function regenerateOwnRecoveryCodes(input: {
	adminId: string;
	username: string;
	ip?: string;
}) {
	const codes = await regenerateRecoveryCodes(input.adminId);
	await recordAudit({
		actor: input.username,
		action: 'recovery.regenerated',
		ip: input.ip,
		detail: { count: codes.length }
	});
	return codes;
}
