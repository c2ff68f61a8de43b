/**
 * TOTP, one import for its callers: the otplib side (totp-crypto.ts), the setup page's key and QR code
 * (totp-qr.ts), the enrollments (totp-store.ts) and the key mail (totp-key-mail.ts).
 */
export {
	TOTP_SECRET_BYTES,
	DEFAULT_TOTP_OPTIONS,
	TOTP_ALGORITHM_NAMES,
	newTotpSecret,
	totpStep,
	totpCode,
	checkTotpCode,
	totpUri,
	formatTotpKey,
	enrollmentOptions,
	type TotpOptions
} from './totp-crypto.js';
export { qrCodeSvg, describeTotpSetup, type TotpSetupView } from './totp-qr.js';
export {
	findTotpEnrollment,
	beginTotpEnrollment,
	pendingTotpSecret,
	confirmTotpEnrollment,
	verifyTotpEnrollment,
	resetTotpEnrollment,
	deleteTotpEnrollment,
	listTotpEnrollments,
	type TotpPerson,
	type TotpCheckResult,
	type TotpEnrollmentView
} from './totp-store.js';
export { mailTotpKeyOnce } from './totp-key-mail.js';
