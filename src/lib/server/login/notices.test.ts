import { describe, expect, it } from 'vitest';
import { LOGIN_NOTICES, OTP_NOTICES, codeNotSentNotice, noticeText } from './notices.js';

describe('sign-in notices', () => {
	it('shows the server’s text for a known key', () => {
		expect(noticeText(LOGIN_NOTICES, 'signed-out')).toBe('You have signed out.');
		expect(noticeText(OTP_NOTICES, 'code-not-sent')).toMatch(/could not be sent/);
	});

	it('shows nothing for text of the link’s own, other pages’ keys or inherited names', () => {
		for (const key of [
			'Your account is locked. Call +1 555 0100 to unlock it.',
			'expired', // a /login key on /login/otp
			'constructor',
			'__proto__',
			'toString',
			'hasOwnProperty',
			'',
			null,
			undefined
		])
			expect(noticeText(OTP_NOTICES, key)).toBeNull();
		expect(noticeText(LOGIN_NOTICES, 'code-limit')).toBeNull();
	});

	it('names the reason a code was not sent with the password step', () => {
		expect(codeNotSentNotice('mail-failed')).toBe('code-not-sent');
		expect(codeNotSentNotice('limit')).toBe('code-limit');
		expect(codeNotSentNotice('cooldown')).toBe('code-limit');
	});
});
