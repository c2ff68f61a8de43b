/** The end-user side: sign-in flow, portal sessions, portal applications and launches. */
export {
	startLogin,
	getPendingLogin,
	describeLoginEmailOtp,
	verifyLoginEmailOtp,
	resendLoginEmailOtp,
	getLoginTotpSetup,
	describeLoginTotp,
	confirmLoginTotpSetup,
	verifyLoginTotp,
	type StartLoginResult,
	type PendingLogin,
	type LoginEmailOtpView,
	type SecondFactorResult,
	type ResendResult,
	type TotpSetupResult
} from './flow.js';
export {
	validateUserSession,
	signOutUser,
	purgeExpiredUserState,
	userSessionCookieName,
	pendingLoginCookieName,
	setUserSessionCookie,
	setPendingLoginCookie,
	deleteUserCookies,
	PENDING_LOGIN_MS,
	USER_IDLE_TIMEOUT_MS,
	USER_ABSOLUTE_TIMEOUT_MS,
	type UserSession
} from './sessions.js';
export {
	listPortalApplications,
	recordLaunch,
	findRecentLaunch,
	listLaunches,
	LAUNCH_HANDOVER_MS,
	type PortalApplication,
	type LaunchResult
} from './portal.js';
export type { MailSender, OutgoingMail } from '../otp/mail.js';
export {
	LOGIN_NOTICES,
	OTP_NOTICES,
	noticeText,
	type LoginNoticeKey,
	type OtpNoticeKey
} from './notices.js';
