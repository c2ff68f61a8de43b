/**
 * A pending sign-in: the password was right, the second factor is to come. Its row is a user session at the
 * stage `password-ok` (sessions.ts); this is what every second-factor step shares about it: where it stands,
 * its domain's OTP generator, the name it has in an authenticator app, and what the user reads when it expired.
 */
import type { OtpGeneratorRow, UserSessionRow } from '../db/schema/index.js';
import { findDomainRow } from '../identity/domains.js';
import { findOtpGeneratorRow } from '../identity/otp-generators.js';
import { findTotpEnrollment } from '../otp/totp-store.js';
import { findSessionRow } from './sessions.js';

export const LOGIN_EXPIRED = 'Your sign-in has expired. Please start again.';

export interface RequestMeta {
	ip?: string;
	userAgent?: string;
	now?: Date;
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
		const enrollment = await findTotpEnrollment(login.domainId, login.personKey);
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

/** The OTP generator the sign-in's domain uses now (an admin may have changed it meanwhile), or null. */
export async function generatorOfLogin(login: UserSessionRow): Promise<OtpGeneratorRow | null> {
	const domain = await findDomainRow(login.domainId);
	return findOtpGeneratorRow(domain?.otpGeneratorId ?? null);
}

/** The account name in the authenticator app: the username (a colon would split the otpauth label). */
export function accountLabel(login: UserSessionRow) {
	return login.username.replace(/:/g, '_');
}

/** The request's address and browser, as the session row keeps them. */
export function meta(input: RequestMeta) {
	return { ip: input.ip, userAgent: input.userAgent };
}

export interface PendingLogin {
	id: string;
	domainId: string;
	domainName: string;
	username: string;
	displayName: string;
	next: 'email-otp' | 'totp-setup' | 'totp';
	expiresAt: Date;
}
