import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { startSlapd, type SlapdServer } from '../testing/slapd.js';
import { db, tables, type Database } from '../db/index.js';
import { sealSecret } from '../secrets.js';
import { seedIdentityDemo, type IdentitySeed } from '../identity/seed.js';
import { resetUserTotp, setLocalUserDisabled } from '../identity/users.js';
import { totpCode, totpStep, type TotpOptions } from '../otp/totp.js';
import { DELAY_FROM } from '../auth/throttle.js';
import type { OutgoingMail } from '../otp/mail.js';
import {
	confirmLoginTotpSetup,
	describeLoginEmailOtp,
	describeLoginTotp,
	getLoginTotpSetup,
	getPendingLogin,
	resendLoginEmailOtp,
	startLogin,
	verifyLoginEmailOtp,
	verifyLoginTotp
} from './flow.js';
import {
	USER_IDLE_TIMEOUT_MS,
	hashSessionToken,
	signOutUser,
	validateUserSession
} from './sessions.js';
import {
	LAUNCH_HANDOVER_MS,
	findRecentLaunch,
	listLaunches,
	listPortalApplications,
	recordLaunch
} from './portal.js';

let database: Database;
let seed: IdentitySeed;
let smtpServerId: string;
let outbox: OutgoingMail[];
const send = async (m: OutgoingMail) => {
	outbox.push(m);
};
const T0 = new Date('2030-03-01T09:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const meta = { ip: '192.0.2.10', userAgent: 'vitest' };
const DEFAULT: TotpOptions = { algorithm: 'sha1', digits: 6, period: 30 };

beforeEach(async () => {
	database = await freshTestDatabase();
	outbox = [];
	const [server] = await db()
		.insert(tables.smtpServers)
		.values({
			name: 'Sink',
			host: '127.0.0.1',
			port: 2525,
			security: 'none',
			fromAddress: 'noreply@postern.test'
		})
		.returning();
	smtpServerId = server.id;
	seed = await seedIdentityDemo({ smtpServerId });
});
afterEach(async () => {
	await database.close();
});

const user = (username: string) => seed.users.find((u) => u.username === username)!;

function login(username: string, password = user(username).password, now = T0, extra = {}) {
	const domainId = username === 'tom' ? seed.totpDomainId : seed.emailDomainId;
	return startLogin({ domainId, username, password, send, now, ...meta, ...extra });
}

function codeFrom(message = outbox.at(-1)!) {
	return /\b(\d{6,8})\b/.exec(message.text)![1];
}

async function audit(action: string) {
	return db()
		.select()
		.from(tables.auditLog)
		.where(eq(tables.auditLog.action, action as never));
}

describe('password step', () => {
	it('gives the same answer for an unknown user and a wrong password', async () => {
		const unknown = await login('nobody', 'whatever password');
		const wrong = await login('jane', 'not her password');
		expect(unknown).toEqual(wrong);
		expect(unknown).toEqual({
			ok: false,
			reason: 'invalid',
			message: 'Wrong username or password.'
		});
		expect(outbox).toHaveLength(0);
	});

	it('throttles per account: after 5 failures even the right password waits', async () => {
		for (let i = 0; i < 5; i++) await login('jane', 'wrong password', T0);
		const blocked = await login('jane', undefined, T0);
		expect(blocked).toMatchObject({ ok: false, reason: 'throttled' });
		expect(outbox).toHaveLength(0);
		const afterWait = await login('jane', undefined, later(2000));
		expect(afterWait).toMatchObject({ ok: true, next: 'email-otp' });
	});

	it('throttles per IP address: 25 failures over many accounts make every account from there wait', async () => {
		// one failure per name: no account reaches its own limit of 5, only the address its 25
		for (let i = 0; i < 25; i++) {
			const result = await login(`guess${i}`, 'whatever password', T0);
			expect(result).toMatchObject({ ok: false, reason: 'invalid' });
		}
		const throttle = await db().select().from(tables.loginThrottle);
		expect(throttle.find((row) => row.key === `user_sign_in:ip:${meta.ip}`)).toMatchObject({
			failures: 25
		});
		expect(
			Math.max(...throttle.filter((r) => r.key.includes(':account:')).map((r) => r.failures))
		).toBe(1);

		// the right password of an account that never failed, from that address: refused unchecked
		expect(await login('jane', undefined, T0)).toEqual({
			ok: false,
			reason: 'throttled',
			retryAt: later(1000),
			message: 'Too many failed sign-ins. Try again in 1 second.'
		});
		expect(outbox).toHaveLength(0);
		const [refused] = (await audit('login.password')).filter((e) => e.actor === 'jane');
		expect(refused).toMatchObject({ outcome: 'failed', ip: meta.ip });
		expect(refused.detail).toMatchObject({ reason: 'throttled' });
		// another address is not concerned; this one may try again once the delay is over
		expect(await login('jane', undefined, T0, { ip: '198.51.100.7' })).toMatchObject({
			ok: true,
			next: 'email-otp'
		});
		expect(await login('jane', undefined, later(1500))).toMatchObject({
			ok: true,
			next: 'email-otp'
		});
	}, 60_000);

	it('refuses a disabled user with the same answer', async () => {
		const [kiosk] = await db().select().from(tables.users).where(eq(tables.users.username, 'jane'));
		await setLocalUserDisabled(kiosk.id, true, { actor: 'admin' });
		expect(await login('jane')).toEqual({
			ok: false,
			reason: 'invalid',
			message: 'Wrong username or password.'
		});
	});

	it('opens the portal at once when the domain has no second factor', async () => {
		await db()
			.update(tables.domains)
			.set({ otpGeneratorId: null })
			.where(eq(tables.domains.id, seed.emailDomainId));
		const result = await login('jane');
		expect(result).toMatchObject({ ok: true, next: 'portal' });
		if (!result.ok) return;
		expect(await validateUserSession(result.token, T0)).toMatchObject({
			username: 'jane',
			domainName: 'Example',
			email: 'jane@postern.test'
		});
	});

	it('ends the sessions of the tokens the browser still had (fixation)', async () => {
		await db()
			.update(tables.domains)
			.set({ otpGeneratorId: null })
			.where(eq(tables.domains.id, seed.emailDomainId));
		const first = await login('jane');
		if (!first.ok) throw new Error('sign-in refused');
		const second = await login('jane', undefined, T0, { previousTokens: [first.token] });
		expect(second.ok).toBe(true);
		expect(await validateUserSession(first.token, T0)).toBeNull();
	});

	it('says why a user without an e-mail address cannot get a code, and audits it', async () => {
		const result = await login('kiosk');
		expect(result).toMatchObject({ ok: false, reason: 'no-email' });
		if (!result.ok) expect(result.message).toMatch(/no e-mail address/);
		const [entry] = await audit('login.no_email');
		expect(entry).toMatchObject({ actor: 'kiosk', outcome: 'failed' });
		expect(JSON.stringify(entry.detail)).toContain('attribute \\"email\\"');
	});

	it('refuses an unknown domain', async () => {
		const result = await startLogin({
			domainId: '00000000-0000-4000-8000-000000000000',
			username: 'jane',
			password: 'x',
			send
		});
		expect(result).toMatchObject({ ok: false, reason: 'unknown-domain' });
	});
});

describe('e-mail OTP step', () => {
	it('mails a code, and the right code swaps the pending token for a new portal token', async () => {
		const start = await login('jane');
		expect(start).toMatchObject({ ok: true, next: 'email-otp', codeSent: true });
		if (!start.ok) return;
		expect(outbox).toHaveLength(1);
		expect(outbox[0]).toMatchObject({
			to: 'jane@postern.test',
			smtpServerId,
			from: 'noreply@postern.test'
		});
		// The pending token opens nothing yet.
		expect(await validateUserSession(start.token, T0)).toBeNull();
		expect(await getPendingLogin(start.token, T0)).toMatchObject({
			username: 'jane',
			domainName: 'Example',
			next: 'email-otp'
		});
		expect(await describeLoginEmailOtp(start.token, later(5000))).toMatchObject({
			destination: 'j***@postern.test',
			codeLength: 6,
			validMinutes: 5,
			expired: false,
			attemptsLeft: 5,
			cooldownSeconds: 25
		});

		const wrong = await verifyLoginEmailOtp({
			token: start.token,
			code: '12345x',
			now: T0,
			...meta
		});
		expect(wrong).toMatchObject({ ok: false, reason: 'invalid', attemptsLeft: 4 });

		const done = await verifyLoginEmailOtp({
			token: start.token,
			code: codeFrom(),
			now: T0,
			...meta
		});
		expect(done.ok).toBe(true);
		if (!done.ok) return;
		expect(done.token).not.toBe(start.token);
		expect(done.token.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
		expect(await validateUserSession(done.token, T0)).toMatchObject({ username: 'jane' });
		expect(await validateUserSession(start.token, T0)).toBeNull();
		expect(await getPendingLogin(start.token, T0)).toBeNull();
		// Only hashes in the table.
		const rows = await db().select().from(tables.userSessions);
		expect(rows.map((r) => r.tokenHash)).toEqual([hashSessionToken(done.token)]);
		expect(JSON.stringify(rows)).not.toContain(done.token);
	});

	it('says when the code has expired (5:01)', async () => {
		const start = await login('jane');
		if (!start.ok) throw new Error('refused');
		const result = await verifyLoginEmailOtp({
			token: start.token,
			code: codeFrom(),
			now: later(301_000)
		});
		expect(result).toMatchObject({ ok: false, reason: 'expired' });
		if (!result.ok) expect(result.message).toMatch(/expired/);
	});

	it('burns the code after 5 wrong tries', async () => {
		const start = await login('jane');
		if (!start.ok) throw new Error('refused');
		const code = codeFrom();
		const wrong = code === '000000' ? '111111' : '000000';
		for (let i = 0; i < 5; i++)
			await verifyLoginEmailOtp({ token: start.token, code: wrong, now: later(i * 1000) });
		// The per-account throttle also kicks in after 5 failures: wait it out, the code stays burned.
		const sixth = await verifyLoginEmailOtp({ token: start.token, code, now: later(60_000) });
		expect(sixth).toMatchObject({ ok: false, reason: 'burned' });
	});

	it('answers the 6th try at once that the code is used up and a new one can be sent, not "try again in 1 second"', async () => {
		const start = await login('jane');
		if (!start.ok) throw new Error('refused');
		const code = codeFrom();
		const wrong = code === '000000' ? '111111' : '000000';
		for (let i = 0; i < 5; i++)
			await verifyLoginEmailOtp({ token: start.token, code: wrong, now: later(i * 1000), ...meta });
		// the 5th failure delays the account's next try by a second: the 6th comes within it
		const sixth = await verifyLoginEmailOtp({
			token: start.token,
			code,
			now: later(4500),
			...meta
		});
		expect(sixth).toEqual({
			ok: false,
			reason: 'burned',
			message: 'Too many wrong codes: this code no longer works. Ask for a new one.'
		});
		expect(await describeLoginEmailOtp(start.token, later(4500))).toMatchObject({
			usedUp: true,
			attemptsLeft: 0
		});
		// a used-up code is not a guess: it adds no failure to the account's counter
		const counters = await db().select().from(tables.loginThrottle);
		expect(counters.find((row) => row.key.startsWith('user_otp:account:'))?.failures).toBe(5);
	});

	it('refuses the code of one sign-in for another', async () => {
		const a = await login('jane');
		const codeA = codeFrom();
		const b = await login('jane', undefined, later(1000));
		const codeB = codeFrom();
		if (!a.ok || !b.ok) throw new Error('refused');
		if (codeA !== codeB)
			expect(
				(await verifyLoginEmailOtp({ token: b.token, code: codeA, now: later(2000) })).ok
			).toBe(false);
		expect((await verifyLoginEmailOtp({ token: b.token, code: codeB, now: later(2000) })).ok).toBe(
			true
		);
	});

	it('resends after 30 s, not before; the new code replaces the old one', async () => {
		const start = await login('jane');
		if (!start.ok) throw new Error('refused');
		const first = codeFrom();
		const early = await resendLoginEmailOtp({
			token: start.token,
			send,
			now: later(10_000),
			...meta
		});
		expect(early).toMatchObject({ ok: false, reason: 'cooldown', cooldownSeconds: 20 });
		const resent = await resendLoginEmailOtp({
			token: start.token,
			send,
			now: later(30_000),
			...meta
		});
		expect(resent).toMatchObject({
			ok: true,
			destination: 'j***@postern.test',
			cooldownSeconds: 30
		});
		expect(outbox).toHaveLength(2);
		const second = codeFrom();
		if (first !== second)
			expect(
				(await verifyLoginEmailOtp({ token: start.token, code: first, now: later(31_000) })).ok
			).toBe(false);
		expect(
			(await verifyLoginEmailOtp({ token: start.token, code: second, now: later(32_000) })).ok
		).toBe(true);
	});

	it('an early resend changes nothing and says how long to wait', async () => {
		const start = await login('jane');
		if (!start.ok) throw new Error('refused');
		const code = codeFrom();
		const early = await resendLoginEmailOtp({
			token: start.token,
			send,
			now: later(12_000),
			...meta
		});
		expect(early).toEqual({
			ok: false,
			reason: 'cooldown',
			cooldownSeconds: 18,
			message:
				'A new code can be sent 30 seconds after the last one. Wait 18 seconds, then ask again.'
		});
		const once = await resendLoginEmailOtp({ token: start.token, send, now: later(29_500) });
		expect(once).toMatchObject({ reason: 'cooldown', cooldownSeconds: 1 });
		if (!once.ok) expect(once.message).toContain('Wait 1 second,');
		// no mail, no new code, the same cooldown; the code already sent still signs in
		expect(outbox).toHaveLength(1);
		expect(await describeLoginEmailOtp(start.token, later(20_000))).toMatchObject({
			cooldownSeconds: 10,
			attemptsLeft: 5,
			expired: false
		});
		expect((await verifyLoginEmailOtp({ token: start.token, code, now: later(21_000) })).ok).toBe(
			true
		);
	});

	it('still signs in with a pending token when the mail fails, and says so', async () => {
		const failing = async () => {
			throw new Error('connection refused');
		};
		const start = await startLogin({
			domainId: seed.emailDomainId,
			username: 'jane',
			password: user('jane').password,
			send: failing,
			now: T0
		});
		expect(start).toMatchObject({ ok: true, next: 'email-otp', codeSent: false });
		if (start.ok && start.next === 'email-otp') {
			expect(start.notice).toMatch(/could not be sent/);
			// what /login puts in the URL for /login/otp: a key, not the text
			expect(start.noticeKey).toBe('code-not-sent');
		}
		const [entry] = await audit('login.code_sent');
		expect(entry.outcome).toBe('failed');
	});

	it('says the generator is not configured when it has no SMTP server', async () => {
		await db()
			.update(tables.otpGenerators)
			.set({ smtpServerId: null })
			.where(eq(tables.otpGenerators.id, seed.emailGeneratorId));
		expect(await login('jane')).toMatchObject({ ok: false, reason: 'not-configured' });
	});
});

describe('TOTP steps', () => {
	async function enroll(now = T0) {
		const start = await login('tom', undefined, now);
		expect(start).toMatchObject({ ok: true, next: 'totp-setup' });
		if (!start.ok) throw new Error('refused');
		const setup = await getLoginTotpSetup({ token: start.token, now });
		if (!setup.ok) throw new Error(setup.message);
		const secret = setup.setup.keyText.replace(/ /g, '');
		return { start, setup: setup.setup, secret };
	}

	it('enrolls: QR code and key, confirm with a current code, then the portal', async () => {
		const { start, setup, secret } = await enroll();
		expect(setup.qrSvg).toMatch(/^<svg/);
		expect(setup).toMatchObject({
			issuer: 'Postern demo',
			account: 'tom',
			algorithm: 'SHA-1',
			digits: 6,
			period: 30,
			keyMailedTo: null,
			keyMailNotice: null
		});
		expect(secret).toMatch(/^[A-Z2-7]{32}$/);
		expect(outbox).toHaveLength(0); // keys by e-mail are off by default
		const bad = await confirmLoginTotpSetup({ token: start.token, code: '000000', now: T0 });
		expect(bad).toMatchObject({ ok: false, reason: 'invalid' });
		const code = await totpCode(secret, DEFAULT, T0);
		const done = await confirmLoginTotpSetup({ token: start.token, code, now: T0, ...meta });
		expect(done.ok).toBe(true);
		if (!done.ok) return;
		expect(await validateUserSession(done.token, T0)).toMatchObject({ username: 'tom' });
		expect(await audit('totp.enrolled')).toHaveLength(1);
	});

	it('the setup page shows the same key on reload', async () => {
		const { start, secret } = await enroll();
		const again = await getLoginTotpSetup({ token: start.token, now: T0 });
		expect(again.ok && again.setup.keyText.replace(/ /g, '')).toBe(secret);
	});

	it('later sign-ins ask for the code: ±1 step, no replay', async () => {
		const { start, secret } = await enroll(T0);
		const firstCode = await totpCode(secret, DEFAULT, T0);
		await confirmLoginTotpSetup({ token: start.token, code: firstCode, now: T0 });

		const next = later(60_000);
		const second = await login('tom', undefined, next);
		expect(second).toMatchObject({ ok: true, next: 'totp' });
		if (!second.ok) return;
		expect(await describeLoginTotp(second.token, next)).toEqual({
			digits: 6,
			account: 'tom',
			issuer: 'Postern demo'
		});
		// The confirmation's code (two steps back) is refused; the previous step's code is accepted once.
		expect(
			await verifyLoginTotp({ token: second.token, code: firstCode, now: next })
		).toMatchObject({
			ok: false
		});
		const step = totpStep(next, 30);
		const previous = await totpCode(secret, DEFAULT, new Date((step - 1) * 30_000));
		const ok = await verifyLoginTotp({ token: second.token, code: previous, now: next });
		expect(ok.ok).toBe(true);

		const third = await login('tom', undefined, next);
		if (!third.ok) throw new Error('refused');
		expect(await verifyLoginTotp({ token: third.token, code: previous, now: next })).toMatchObject({
			ok: false,
			reason: 'replay',
			message: 'This code was already used. Wait for the next one.'
		});
		const current = await totpCode(secret, DEFAULT, next);
		expect((await verifyLoginTotp({ token: third.token, code: current, now: next })).ok).toBe(true);
	});

	async function sendKeysByEmail() {
		await db()
			.update(tables.otpGenerators)
			.set({ sendKeyByEmail: true })
			.where(eq(tables.otpGenerators.id, seed.totpGeneratorId));
	}

	it('mails the key when the generator says so: once, and again after an admin reset', async () => {
		await sendKeysByEmail();
		const first = await enroll();
		expect(first.setup.keyMailedTo).toBe('t***@postern.test');
		expect(outbox).toHaveLength(1);
		expect(outbox[0].text).toContain(first.setup.keyText);
		const reload = await getLoginTotpSetup({ token: first.start.token, now: T0 });
		expect(reload.ok && reload.setup.keyMailedTo).toBe('t***@postern.test');
		expect(outbox).toHaveLength(1);
		// signing in again before confirming keeps the enrollment and its key, and mails nothing more
		const second = await login('tom', undefined, later(10_000));
		expect(second).toMatchObject({ ok: true, next: 'totp-setup' });
		if (!second.ok) throw new Error('refused');
		const shown = await getLoginTotpSetup({ token: second.token, now: later(10_000) });
		expect(shown.ok && shown.setup.keyText).toBe(first.setup.keyText);
		expect(outbox).toHaveLength(1);
		await confirmLoginTotpSetup({
			token: first.start.token,
			code: await totpCode(first.secret, DEFAULT, T0),
			now: T0
		});

		expect(
			await resetUserTotp({
				domainId: seed.totpDomainId,
				username: 'TOM',
				audit: { actor: 'admin' }
			})
		).toEqual({ ok: true, reset: true });
		const again = await enroll(later(120_000));
		expect(again.secret).not.toBe(first.secret);
		expect(outbox).toHaveLength(2);
		expect(await audit('totp.key_mailed')).toHaveLength(2);
		expect(await audit('totp.reset')).toHaveLength(1);
	});

	it('mails the key in the password step (a POST); the setup page only reads', async () => {
		await sendKeysByEmail();
		const start = await login('tom');
		expect(start).toMatchObject({ ok: true, next: 'totp-setup' });
		if (!start.ok) throw new Error('refused');
		// mailed before the setup page is ever shown, and the pending enrollment exists already
		expect(outbox).toHaveLength(1);
		const [enrollment] = await db().select().from(tables.totpEnrollments);
		expect(enrollment).toMatchObject({ username: 'tom', confirmedAt: null });
		expect(enrollment.keyMailedAt).toEqual(T0);
		// the page load takes no sender at all; loading it any number of times writes nothing
		const auditRows = (await db().select().from(tables.auditLog)).length;
		for (let i = 0; i < 3; i++) {
			const view = await getLoginTotpSetup({ token: start.token, now: later(i * 1000) });
			expect(view.ok && view.setup.keyMailedTo).toBe('t***@postern.test');
		}
		expect(outbox).toHaveLength(1);
		expect(await db().select().from(tables.auditLog)).toHaveLength(auditRows);
		expect(await db().select().from(tables.totpEnrollments)).toEqual([enrollment]);
	});

	it('a key mail that failed is not retried by the page, only by the next sign-in', async () => {
		await sendKeysByEmail();
		const failing = async () => {
			throw new Error('connection refused');
		};
		const start = await login('tom', undefined, T0, { send: failing });
		if (!start.ok) throw new Error('refused');
		const view = await getLoginTotpSetup({ token: start.token, now: T0 });
		expect(view).toMatchObject({
			ok: true,
			setup: {
				keyMailedTo: null,
				keyMailNotice: 'The key could not be e-mailed; it is shown here.'
			}
		});
		expect(outbox).toHaveLength(0);
		const again = await login('tom', undefined, later(5000));
		if (!again.ok) throw new Error('refused');
		expect(outbox).toHaveLength(1);
		const after = await getLoginTotpSetup({ token: again.token, now: later(5000) });
		expect(after.ok && after.setup.keyText.replace(/ /g, '')).toBe(
			view.ok && view.setup.keyText.replace(/ /g, '')
		);
		expect(after.ok && after.setup.keyMailedTo).toBe('t***@postern.test');
	});

	it('a user without an e-mail address is told the key was not mailed (audited at sign-in)', async () => {
		await sendKeysByEmail();
		await db().update(tables.users).set({ email: null }).where(eq(tables.users.username, 'tom'));
		const start = await login('tom');
		if (!start.ok) throw new Error('refused');
		expect(await audit('login.no_email')).toHaveLength(1);
		const view = await getLoginTotpSetup({ token: start.token, now: T0 });
		expect(view.ok && view.setup.keyMailNotice).toBe(
			'Your account has no e-mail address, so the key was not e-mailed.'
		);
		expect(await audit('login.no_email')).toHaveLength(1);
		expect(outbox).toHaveLength(0);
	});

	it('after a reset during a sign-in the user signs in again, which begins the new enrollment', async () => {
		const { start, secret } = await enroll();
		await confirmLoginTotpSetup({
			token: start.token,
			code: await totpCode(secret, DEFAULT, T0),
			now: T0
		});
		const next = later(60_000);
		const second = await login('tom', undefined, next);
		if (!second.ok) throw new Error('refused');
		await resetUserTotp({
			domainId: seed.totpDomainId,
			username: 'tom',
			audit: { actor: 'admin' }
		});
		expect(
			await verifyLoginTotp({
				token: second.token,
				code: await totpCode(secret, DEFAULT, next),
				now: next
			})
		).toMatchObject({ ok: false, reason: 'setup-required' });
		expect((await getPendingLogin(second.token, next))?.next).toBe('totp-setup');
		// the setup page does not begin it (it only reads) ...
		expect(await getLoginTotpSetup({ token: second.token, now: next })).toMatchObject({
			ok: false,
			reason: 'not-started'
		});
		expect(await db().select().from(tables.totpEnrollments)).toHaveLength(0);
		// ... the next password step does, with a new key
		const third = await login('tom', undefined, next);
		expect(third).toMatchObject({ ok: true, next: 'totp-setup' });
		if (!third.ok) return;
		const setup = await getLoginTotpSetup({ token: third.token, now: next });
		expect(setup.ok && setup.setup.keyText.replace(/ /g, '')).not.toBe(secret);
	});

	it('throttles wrong authenticator codes per account', async () => {
		const { start, secret } = await enroll();
		for (let i = 0; i < 5; i++)
			await confirmLoginTotpSetup({ token: start.token, code: '000000', now: T0 });
		const blocked = await confirmLoginTotpSetup({
			token: start.token,
			code: await totpCode(secret, DEFAULT, T0),
			now: T0
		});
		expect(blocked).toMatchObject({ ok: false, reason: 'throttled' });
	});

	it('refuses the pending token of another factor', async () => {
		const jane = await login('jane');
		if (!jane.ok) throw new Error('refused');
		expect(await verifyLoginTotp({ token: jane.token, code: '123456', now: T0 })).toMatchObject({
			ok: false,
			reason: 'no-login'
		});
		expect((await getLoginTotpSetup({ token: jane.token, now: T0 })).ok).toBe(false);
	});
});

describe('portal sessions and launches', () => {
	async function signedIn(now = T0) {
		await db()
			.update(tables.domains)
			.set({ otpGeneratorId: null })
			.where(eq(tables.domains.id, seed.emailDomainId));
		const result = await login('jane', undefined, now);
		if (!result.ok) throw new Error('refused');
		return result.token;
	}

	it('expires after 30 minutes idle and ends at sign-out', async () => {
		const token = await signedIn();
		expect(await validateUserSession(token, later(29 * 60_000))).not.toBeNull();
		expect(
			await validateUserSession(token, later(29 * 60_000 + USER_IDLE_TIMEOUT_MS + 1000))
		).toBeNull();
		const other = await signedIn(later(60 * 60_000));
		await signOutUser(other, meta);
		expect(await validateUserSession(other, later(60 * 60_000))).toBeNull();
		expect(await audit('login.sign_out')).toHaveLength(1);
	});

	it('ends when the user is disabled', async () => {
		const token = await signedIn();
		const [jane] = await db().select().from(tables.users).where(eq(tables.users.username, 'jane'));
		await setLocalUserDisabled(jane.id, true, { actor: 'admin' });
		expect(await validateUserSession(token, T0)).toBeNull();
	});

	it('lists applications and records launches with user, domain, application, IP and user agent', async () => {
		const token = await signedIn();
		const session = (await validateUserSession(token, T0))!;
		const apps = await listPortalApplications();
		expect(apps.map((a) => a.name)).toEqual(['Monitoring', 'PLC', 'Wiki']);
		const plc = apps.find((a) => a.name === 'PLC')!;
		const launch = await recordLaunch(session, plc.id, '192.0.2.10', 'Firefox', T0);
		expect(launch).toMatchObject({ ok: true, application: { url: 'https://plc.postern.test/' } });
		const [row] = await listLaunches();
		expect(row).toMatchObject({
			username: 'jane',
			domainName: 'Example',
			applicationName: 'PLC',
			ip: '192.0.2.10',
			userAgent: 'Firefox',
			at: T0
		});
		expect(await audit('portal.launch')).toHaveLength(1);
		expect(await recordLaunch(session, 'not-a-uuid')).toMatchObject({
			ok: false,
			code: 'not_found'
		});
	});

	it('the hand-over page finds a launch of this user only, and only for a few minutes', async () => {
		const token = await signedIn();
		const session = (await validateUserSession(token, T0))!;
		const plc = (await listPortalApplications()).find((a) => a.name === 'PLC')!;
		const launch = await recordLaunch(session, plc.id, '192.0.2.10', 'Firefox', T0);
		if (!launch.ok) throw new Error(launch.message);
		expect(await findRecentLaunch(launch.launchId, session, later(60_000))).toEqual({
			applicationName: 'PLC',
			url: 'https://plc.postern.test/'
		});
		expect(await findRecentLaunch(launch.launchId, { ...session, username: 'tom' }, T0)).toBeNull();
		expect(
			await findRecentLaunch(launch.launchId, session, later(LAUNCH_HANDOVER_MS + 1000))
		).toBeNull();
		expect(await findRecentLaunch('not-a-uuid', session, T0)).toBeNull();
	});

	it('hands out only http(s) addresses: a stored javascript: URL is refused and not recorded', async () => {
		const token = await signedIn();
		const session = (await validateUserSession(token, T0))!;
		const [wiki] = (await listPortalApplications()).filter((a) => a.name === 'Wiki');
		await db()
			.update(tables.applications)
			.set({ url: 'javascript:alert(document.cookie)' })
			.where(eq(tables.applications.id, wiki.id));
		expect(await recordLaunch(session, wiki.id, '192.0.2.10', 'Firefox', T0)).toMatchObject({
			ok: false,
			code: 'not_found'
		});
		expect(await listLaunches()).toHaveLength(0);
		expect(await audit('portal.launch')).toHaveLength(0);
	});
});

describe('LDAP domain with e-mail OTP (slapd)', () => {
	let slapd: SlapdServer;
	let ldapDomainId: string;
	beforeAll(async () => {
		slapd = await startSlapd();
	});
	afterAll(async () => {
		await slapd?.stop();
	});
	beforeEach(async () => {
		const [domain] = await db()
			.insert(tables.domains)
			.values({
				kind: 'ldap',
				name: 'Directory',
				otpGeneratorId: seed.emailGeneratorId,
				emailAttribute: 'mail',
				ldapUrl: slapd.url,
				ldapBindDn: slapd.bindDn,
				ldapBindPasswordSealed: sealSecret(slapd.bindPassword),
				ldapBaseDn: slapd.baseDn,
				ldapUserFilter: slapd.userFilter
			})
			.returning();
		ldapDomainId = domain.id;
	});
	const ldapLogin = (username: string, password: string) =>
		startLogin({ domainId: ldapDomainId, username, password, send, now: T0, ...meta });

	it('mails the code to the mail attribute and signs in', async () => {
		const start = await ldapLogin('alice', slapd.user('alice').password);
		expect(start).toMatchObject({ ok: true, next: 'email-otp' });
		if (!start.ok) return;
		expect(outbox[0].to).toBe('alice@postern.test');
		const done = await verifyLoginEmailOtp({ token: start.token, code: codeFrom(), now: T0 });
		expect(done.ok).toBe(true);
		if (done.ok)
			expect(await validateUserSession(done.token, T0)).toMatchObject({
				username: 'alice',
				displayName: 'Alice Archer',
				domainName: 'Directory',
				userId: null
			});
	});

	it('a user without mail gets the clear error; wrong and unknown get the same answer', async () => {
		expect(await ldapLogin('bob', slapd.user('bob').password)).toMatchObject({
			reason: 'no-email'
		});
		const [entry] = await audit('login.no_email');
		expect(JSON.stringify(entry.detail)).toContain('attribute \\"mail\\"');
		expect(await ldapLogin('alice', 'wrong')).toEqual(await ldapLogin('zed', 'wrong'));
		expect(await ldapLogin('*', slapd.user('alice').password)).toMatchObject({ reason: 'invalid' });
	});

	it('says the directory is unavailable without counting a failure', async () => {
		await db()
			.update(tables.domains)
			.set({ ldapBindPasswordSealed: sealSecret('wrong') })
			.where(eq(tables.domains.id, ldapDomainId));
		expect(await ldapLogin('alice', slapd.user('alice').password)).toMatchObject({
			ok: false,
			reason: 'unavailable'
		});
		const throttle = await db().select().from(tables.loginThrottle);
		expect(throttle).toHaveLength(0);
		const [entry] = await db()
			.select()
			.from(tables.auditLog)
			.where(
				and(eq(tables.auditLog.action, 'login.password'), eq(tables.auditLog.outcome, 'failed'))
			);
		expect(entry.detail).toMatchObject({ diagnosis: 'bind-invalid-credentials' });
	});

	it('resets the TOTP of an LDAP user by username', async () => {
		const [totpGen] = await db()
			.select()
			.from(tables.otpGenerators)
			.where(eq(tables.otpGenerators.id, seed.totpGeneratorId));
		await db()
			.update(tables.domains)
			.set({ otpGeneratorId: totpGen.id })
			.where(eq(tables.domains.id, ldapDomainId));
		const start = await ldapLogin('alice', slapd.user('alice').password);
		expect(start).toMatchObject({ next: 'totp-setup' });
		if (!start.ok) return;
		const setup = await getLoginTotpSetup({ token: start.token, now: T0 });
		if (!setup.ok) throw new Error('no setup');
		const secret = setup.setup.keyText.replace(/ /g, '');
		await confirmLoginTotpSetup({
			token: start.token,
			code: await totpCode(secret, DEFAULT, T0),
			now: T0
		});
		expect(
			await resetUserTotp({ domainId: ldapDomainId, username: 'Alice', audit: { actor: 'admin' } })
		).toEqual({ ok: true, reset: true });
		expect(await ldapLogin('alice', slapd.user('alice').password)).toMatchObject({
			next: 'totp-setup'
		});
	});
});

describe('throttles under parallel requests', () => {
	/** Attempts whose password or code was actually checked: audited with this reason. */
	async function evaluated(action: 'login.password' | 'login.second_factor', reason: string) {
		const rows = await audit(action);
		return rows.filter((row) => (row.detail as { reason?: string }).reason === reason).length;
	}
	const burst = <T>(n: number, attempt: (i: number) => Promise<T>) =>
		Promise.all(Array.from({ length: n }, (_, i) => attempt(i)));

	it('checks at most 5 of 100 parallel wrong passwords for one account', async () => {
		const results = await burst(100, (i) => login('jane', `wrong password ${i}`, T0));
		expect(await evaluated('login.password', 'wrong username or password')).toBe(DELAY_FROM);
		expect(results.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(100 - DELAY_FROM);
	});

	it('checks at most 1 of 100 parallel wrong e-mail codes once the account has 4 failures', async () => {
		const start = await login('jane');
		if (!start.ok) throw new Error('refused');
		const first = codeFrom();
		const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');
		for (let i = 0; i < 4; i++)
			await verifyLoginEmailOtp({ token: start.token, code: wrongFor(first), now: T0, ...meta });
		const resent = await resendLoginEmailOtp({
			token: start.token,
			send,
			now: later(31_000),
			...meta
		});
		expect(resent.ok).toBe(true);
		const second = codeFrom();
		const before = await evaluated('login.second_factor', 'invalid');
		const results = await burst(100, () =>
			verifyLoginEmailOtp({
				token: start.token,
				code: wrongFor(second),
				now: later(32_000),
				...meta
			})
		);
		// the 5th failure of the account starts its delay: only one of the burst gets its code compared
		expect((await evaluated('login.second_factor', 'invalid')) - before).toBe(1);
		expect(results.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(99);
	});

	it('checks at most 5 of 100 parallel wrong authenticator codes', async () => {
		const start = await login('tom', undefined, T0);
		if (!start.ok) throw new Error('refused');
		const setup = await getLoginTotpSetup({ token: start.token, now: T0 });
		if (!setup.ok) throw new Error(setup.message);
		const secret = setup.setup.keyText.replace(/ /g, '');
		const confirmed = await confirmLoginTotpSetup({
			token: start.token,
			code: await totpCode(secret, DEFAULT, T0),
			now: T0
		});
		expect(confirmed.ok).toBe(true);
		const next = later(60_000);
		const again = await login('tom', undefined, next);
		if (!again.ok) throw new Error('refused');
		const valid = await Promise.all(
			[-1, 0, 1].map((d) => totpCode(secret, DEFAULT, new Date(next.getTime() + d * 30_000)))
		);
		const wrong = ['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!;
		const results = await burst(100, () =>
			verifyLoginTotp({ token: again.token, code: wrong, now: next, ...meta })
		);
		expect(await evaluated('login.second_factor', 'invalid')).toBe(DELAY_FROM);
		expect(results.filter((r) => !r.ok && r.reason === 'throttled')).toHaveLength(100 - DELAY_FROM);
	});

	it('checks at most 5 of 100 parallel wrong codes while setting up the authenticator', async () => {
		const start = await login('tom', undefined, T0);
		if (!start.ok) throw new Error('refused');
		const setup = await getLoginTotpSetup({ token: start.token, now: T0 });
		if (!setup.ok) throw new Error(setup.message);
		const secret = setup.setup.keyText.replace(/ /g, '');
		const valid = await Promise.all(
			[-1, 0, 1].map((d) => totpCode(secret, DEFAULT, new Date(T0.getTime() + d * 30_000)))
		);
		const wrong = ['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!;
		await burst(100, () =>
			confirmLoginTotpSetup({ token: start.token, code: wrong, now: T0, ...meta })
		);
		expect(await evaluated('login.second_factor', 'invalid')).toBe(DELAY_FROM);
	});
});
