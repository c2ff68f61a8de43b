/**
 * What the authenticator setup page shows for a pending enrollment: the key in groups of four, the otpauth
 * URI, and its QR code rendered here as SVG by the qrcode package (never by a third-party service, so no
 * request carrying the key leaves the server or the browser).
 */
import QRCode from 'qrcode';
import type { TotpEnrollmentRow } from '../db/schema/index.js';
import { TOTP_ALGORITHM_NAMES, enrollmentOptions, formatTotpKey, totpUri } from './totp-crypto.js';

/** The QR code of a URI as an SVG element. */
export function qrCodeSvg(text: string): Promise<string> {
	return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** What the setup page shows for a pending enrollment. */
export async function describeTotpSetup(input: {
	enrollment: TotpEnrollmentRow;
	secret: string;
	issuer: string;
	account: string;
	showQr: boolean;
}): Promise<TotpSetupView> {
	const options = enrollmentOptions(input.enrollment);
	const uri = totpUri({
		secret: input.secret,
		issuer: input.issuer,
		account: input.account,
		options
	});
	return {
		keyText: formatTotpKey(input.secret),
		otpauthUri: uri,
		qrSvg: input.showQr ? await qrCodeSvg(uri) : null,
		issuer: input.issuer,
		account: input.account,
		algorithm: TOTP_ALGORITHM_NAMES[options.algorithm],
		digits: options.digits,
		period: options.period
	};
}

export interface TotpSetupView {
	/** The key in groups of four, for typing. */
	keyText: string;
	otpauthUri: string;
	/** <svg ...> markup, or null when the generator does not show QR codes. */
	qrSvg: string | null;
	issuer: string;
	account: string;
	/** 'SHA-1' | 'SHA-256' | 'SHA-512' */
	algorithm: string;
	digits: 6 | 8;
	period: 30 | 60;
}
