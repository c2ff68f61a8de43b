/**
 * The notices the sign-in pages show after a redirect, named by a short key in the query string
 * (`/login?notice=expired`, `/login/otp?notice=code-not-sent`). Only these texts can ever appear: a key the
 * server does not know shows nothing, so a link someone sends cannot put words of its own on a sign-in page.
 */

/** /login */
export const LOGIN_NOTICES = {
	'signed-out': 'You have signed out.',
	expired: 'Your sign-in expired. Please start again.',
	'totp-reset': 'Your authenticator was reset. Sign in again to set it up.'
} as const satisfies Record<string, string>;

/** /login/otp: why no code arrived with the password step (the page offers "Resend code"). */
export const OTP_NOTICES = {
	'code-limit':
		'No code was sent: too many codes were asked for. Wait a few minutes, then ask for a new code below.',
	'code-not-sent':
		'The code could not be sent. Ask for a new code below in a moment, or tell your administrator.',
	'code-delayed':
		'The mail server is slow to take your code: it is on its way and may take a few minutes. If it does not come, ask for a new code below.'
} as const satisfies Record<string, string>;

export type LoginNoticeKey = keyof typeof LOGIN_NOTICES;
export type OtpNoticeKey = keyof typeof OTP_NOTICES;

/** The text for `key`, or null for a missing or unknown key (inherited names like `constructor` included). */
export function noticeText(
	notices: Readonly<Record<string, string>>,
	key: string | null | undefined
) {
	return key && Object.hasOwn(notices, key) ? notices[key] : null;
}

/** The /login/otp notice for a code that could not be sent with the password step. */
export function codeNotSentNotice(reason: 'cooldown' | 'limit' | 'mail-failed'): OtpNoticeKey {
	return reason === 'mail-failed' ? 'code-not-sent' : 'code-limit';
}
