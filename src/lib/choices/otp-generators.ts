/**
 * The OTP generator form's choices, labels, notes and defaults: plain values, shared by the browser and the
 * server without the form's schema (schemas/otp-generators.ts).
 */
import type { OtpGeneratorForm, OtpType, TotpAlgorithm } from '../schemas/otp-generators.js';

export const OTP_TYPES = ['email', 'totp'] as const;
export const TOTP_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
export const TOTP_DIGITS = [6, 8] as const;
export const TOTP_PERIODS = [30, 60] as const;

export const OTP_TYPE_LABELS: Record<OtpType, string> = {
	email: 'OTP – e-mail',
	totp: 'OTP – Google Authenticator (TOTP)'
};
export const TOTP_ALGORITHM_LABELS: Record<TotpAlgorithm, string> = {
	sha1: 'SHA-1',
	sha256: 'SHA-256',
	sha512: 'SHA-512'
};
/** What the admin sees next to "Send generated keys by e-mail" when it is ticked. */
/**
 * Where an admin picks e-mail codes. NIST SP 800-63B-4 (2025) no longer accepts e-mail for out-of-band
 * authentication, and OWASP ASVS 5.0 agrees: a mailbox is reachable with the same stolen password often
 * enough, and mail travels and rests unencrypted. E-mail codes stay available (the vendor guide describes
 * them), said plainly, with TOTP recommended.
 */
export const EMAIL_OTP_NOTE =
	'E-mail codes are the weakest second factor: whoever gets into the user’s mailbox (often with the same stolen password) gets the code, and current guidance (NIST SP 800-63B-4, OWASP ASVS 5.0) no longer accepts e-mail for it. Prefer an authenticator app (OTP – Google Authenticator) where users can have one.';

export const SEND_KEY_WARNING =
	'Anyone who can read the user’s mailbox then gets the key: the mailbox becomes the only second factor.';

/** Every field of every branch: a new generator's form starts as "OTP – e-mail", 6 digits, 5 minutes. */
export const otpGeneratorFormDefaults = {
	type: 'email',
	name: '',
	smtpServerId: '',
	fallbackSmtpServerId: '',
	sender: '',
	codeLength: 6,
	validityMinutes: 5,
	issuer: 'Postern',
	showQr: true,
	sendKeyByEmail: false,
	algorithm: 'sha1',
	digits: 6,
	period: 30
} as OtpGeneratorForm;
