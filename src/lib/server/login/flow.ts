/**
 * The end-user sign-in, as the /login routes call it (one import for them):
 *
 *   startLogin (domain, username, password)
 *     -> { next: 'portal' }      no second factor: a portal session token
 *     -> { next: 'email-otp' }   a code was mailed: verifyLoginEmailOtp / resendLoginEmailOtp
 *     -> { next: 'totp-setup' }  not enrolled yet (enrollment begun, key mailed if the generator says so):
 *                                getLoginTotpSetup, then confirmLoginTotpSetup
 *     -> { next: 'totp' }        verifyLoginTotp
 *
 * The pending token of the first step opens none of the portal; the second factor swaps it for a new portal
 * token. Rate limits (auth/throttle.ts, counted in the database) per account and per IP on the password, the
 * codes and resends; every password or code check is reserved on the throttle first (checked and counted
 * in one step, so parallel guesses cannot slip past the limit). An unknown user and a wrong password get the
 * same answer. Every expected outcome is a value with a message for the page; exceptions mean a broken
 * invariant.
 *
 * The steps live apart: identify.ts (the password), otp-step.ts (the e-mail code), totp-step.ts (the
 * authenticator), sharing pending-login.ts and second-factor.ts; sessions are sessions.ts's.
 */
export { startLogin, type StartLoginResult } from './identify.js';
export { getPendingLogin, type PendingLogin } from './pending-login.js';
export type { SecondFactorResult } from './second-factor.js';
export {
	describeLoginEmailOtp,
	verifyLoginEmailOtp,
	resendLoginEmailOtp,
	resendCodeForLogin,
	type LoginEmailOtpView,
	type ResendResult
} from './otp-step.js';
export {
	getLoginTotpSetup,
	describeLoginTotp,
	confirmLoginTotpSetup,
	verifyLoginTotp,
	type TotpSetupResult
} from './totp-step.js';
