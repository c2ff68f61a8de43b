/**
 * TOTP (RFC 6238) with otplib 13: SHA-1 / 6 digits / 30 s unless the generator says otherwise, codes of T-1,
 * T and T+1 accepted (server clock only), and a step at or before the last one used refused (replay, and T-1
 * after T). Pure functions: no database, no mail.
 */
import { generate, generateSecret, generateURI, verify } from 'otplib';
import type { TotpAlgorithm, TotpEnrollmentRow } from '../db/schema/index.js';

export const TOTP_SECRET_BYTES = 20;

export interface TotpOptions {
	algorithm: TotpAlgorithm;
	digits: 6 | 8;
	period: 30 | 60;
}

export const DEFAULT_TOTP_OPTIONS: TotpOptions = { algorithm: 'sha1', digits: 6, period: 30 };

export const TOTP_ALGORITHM_NAMES: Record<TotpAlgorithm, string> = {
	sha1: 'SHA-1',
	sha256: 'SHA-256',
	sha512: 'SHA-512'
};

/** A new base32 secret of 160 random bits (RFC 4226 R6). */
export function newTotpSecret(): string {
	return generateSecret({ length: TOTP_SECRET_BYTES });
}

/** The time step a moment falls in. */
export function totpStep(at: Date, period: number): number {
	return Math.floor(at.getTime() / 1000 / period);
}

/** The code for a moment (tests, and the e2e helper that plays the authenticator app). */
export function totpCode(
	secret: string | Uint8Array,
	options: TotpOptions = DEFAULT_TOTP_OPTIONS,
	at: Date = new Date()
): Promise<string> {
	return generate({
		secret,
		algorithm: options.algorithm,
		digits: options.digits,
		period: options.period,
		epoch: Math.floor(at.getTime() / 1000)
	});
}

/**
 * Checks a code against T-1..T+1 around `now`, skipping every step at or before `afterStep`.
 * Returns the matched step, or why not.
 */
export async function checkTotpCode(input: {
	secret: string | Uint8Array;
	code: string;
	options?: TotpOptions;
	now?: Date;
	afterStep?: number | null;
}): Promise<{ valid: true; step: number } | { valid: false; replay: boolean }> {
	const options = input.options ?? DEFAULT_TOTP_OPTIONS;
	const code = input.code.replace(/\s/g, '');
	if (!new RegExp(`^\\d{${options.digits}}$`).test(code)) return { valid: false, replay: false };
	const now = input.now ?? new Date();
	const current = totpStep(now, options.period);
	const common = {
		secret: input.secret,
		token: code,
		algorithm: options.algorithm,
		digits: options.digits,
		period: options.period,
		epoch: Math.floor(now.getTime() / 1000),
		// In seconds: one period either side is exactly steps T-1..T+1.
		epochTolerance: options.period
	};
	const after = input.afterStep ?? null;
	// otplib refuses an afterTimeStep beyond T+1 (a clock set back): then every acceptable step is used.
	if (after === null || after < current + 1) {
		const result = await verify(
			after === null ? common : { ...common, afterTimeStep: Math.max(after, 0) }
		);
		if (result.valid) return { valid: true, step: current + result.delta };
	}
	if (after === null) return { valid: false, replay: false };
	// Not valid among the unused steps: say whether it was a used one, so the page can say "already used".
	const again = await verify(common);
	return { valid: false, replay: again.valid };
}

/** otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=...&digits=...&period=... */
export function totpUri(input: {
	secret: string;
	issuer: string;
	account: string;
	options?: TotpOptions;
}): string {
	const options = input.options ?? DEFAULT_TOTP_OPTIONS;
	return generateURI({
		issuer: input.issuer,
		label: input.account,
		secret: input.secret,
		algorithm: options.algorithm,
		digits: options.digits,
		period: options.period
	});
}

/** "JBSW Y3DP EHPK 3PXP ...": the key as people type it. */
export function formatTotpKey(secret: string): string {
	return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The options an enrollment was made with (copied from its generator then). */
export function enrollmentOptions(
	row: Pick<TotpEnrollmentRow, 'algorithm' | 'digits' | 'period'>
): TotpOptions {
	return {
		algorithm: row.algorithm,
		digits: row.digits === 8 ? 8 : 6,
		period: row.period === 60 ? 60 : 30
	};
}
