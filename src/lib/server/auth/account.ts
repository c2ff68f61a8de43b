/** What a signed-in admin does to their own account: change the password, regenerate recovery codes. */
import { findAdminById, setAdminPassword } from './admins.js';
import { verifyPassword } from './password.js';
import { regenerateRecoveryCodes } from './recovery-codes.js';
import { createSession, invalidateAdminSessions } from './session.js';
import { describeWait, reserveAttempt, settleSuccess, throttleKeys } from './throttle.js';
import { recordAudit } from '../audit.js';

export type Reauth = { ok: true } | { ok: false; message: string; status: 400 | 429 };

/**
 * Re-entering the password before a sensitive change (ASVS 5.0 7.5.1), throttled like a sign-in: the attempt is
 * reserved (checked and counted in one step) before the password is verified, so parallel guesses cannot pass
 * the limit.
 */
export async function confirmCurrentPassword(
	adminId: string,
	username: string,
	password: string,
	ip?: string
): Promise<Reauth> {
	const keys = throttleKeys('reauth', username, ip);
	const reservation = await reserveAttempt(keys);
	if (!reservation.ok)
		return {
			ok: false,
			status: 429,
			message: `Too many wrong passwords. Try again in ${describeWait(reservation.until)}.`
		};
	const admin = await findAdminById(adminId);
	if (admin && (await verifyPassword(admin.passwordHash, password))) {
		await settleSuccess(keys);
		return { ok: true };
	}
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

/**
 * "New recovery codes" (the account page and the site settings): the current password first, then a new set
 * that replaces the old one. The one rule for both pages.
 */
export async function regenerateCodesAfterReauth(input: {
	adminId: string;
	username: string;
	currentPassword: string;
	ip?: string;
}): Promise<{ ok: true; codes: string[] } | Exclude<Reauth, { ok: true }>> {
	const reauth = await confirmCurrentPassword(
		input.adminId,
		input.username,
		input.currentPassword,
		input.ip
	);
	if (!reauth.ok) return reauth;
	return { ok: true, codes: await regenerateOwnRecoveryCodes(input) };
}
