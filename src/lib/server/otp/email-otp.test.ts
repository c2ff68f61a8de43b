import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as nodeCrypto from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import type { OutgoingMail } from './mail.js';
import { maskEmail } from './mail.js';
import {
	describeEmailOtp,
	emailOtpRefusal,
	generateNumericCode,
	issueEmailOtp,
	verifyEmailOtp,
	MAX_CODES_PER_IP_WINDOW,
	MAX_TRIES,
	MAX_CODES_PER_WINDOW,
	SEND_WINDOW_MS,
	type EmailOtpSettings
} from './email-otp.js';

// Counts the comparisons of a typed code with the stored hash.
vi.mock('node:crypto', async (importOriginal) => {
	const real = await importOriginal<typeof import('node:crypto')>();
	return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

let database: Database;
let domainId: string;
let sent: OutgoingMail[];
const send = async (message: OutgoingMail) => {
	sent.push(message);
};
const SETTINGS: EmailOtpSettings = {
	smtpServerId: '00000000-0000-4000-8000-000000000000',
	sender: 'noreply@example.com',
	codeLength: 6,
	validitySeconds: 300,
	appName: 'Postern'
};
const T0 = new Date('2030-01-01T10:00:00Z');
const plus = (ms: number) => new Date(T0.getTime() + ms);

beforeEach(async () => {
	database = await freshTestDatabase();
	sent = [];
	const [domain] = await db()
		.insert(tables.domains)
		.values({ kind: 'local', name: 'Local', emailAttribute: 'email' })
		.returning();
	domainId = domain.id;
});
afterEach(async () => {
	await database.close();
});

async function newLogin(personKey = 'user:alice') {
	const [row] = await db()
		.insert(tables.userSessions)
		.values({
			tokenHash: randomBytes(32).toString('hex'),
			stage: 'password-ok',
			factor: 'email-otp',
			domainId,
			personKey,
			username: personKey.slice(5),
			expiresAt: plus(3_600_000)
		})
		.returning();
	return row.id;
}

async function issue(loginId: string, now = T0, settings = SETTINGS, personKey = 'user:alice') {
	return issueEmailOtp({
		loginId,
		domainId,
		personKey,
		to: 'alice@example.com',
		settings,
		send,
		now
	});
}

function lastCode(message = sent.at(-1)!) {
	return /(\d{6,8})/.exec(message.text)![1];
}

describe('e-mail OTP', () => {
	it('generates codes of 6 to 8 CSPRNG digits, leading zeros kept', () => {
		for (const length of [6, 7, 8])
			expect(generateNumericCode(length)).toMatch(new RegExp(`^\\d{${length}}$`));
		expect(() => generateNumericCode(5)).toThrow();
		// Every digit shows up in every position, the first included (no lost leading zeros).
		const codes = Array.from({ length: 400 }, () => generateNumericCode(6));
		for (let position = 0; position < 6; position++)
			expect(new Set(codes.map((c) => c[position])).size).toBe(10);
		expect(new Set(codes).size).toBeGreaterThan(390);
	});

	it('masks the destination', () => {
		expect(maskEmail('jane.doe@example.com')).toBe('j***@example.com');
		expect(maskEmail('x@example.com')).toBe('x***@example.com');
		expect(maskEmail('broken')).toBe('***');
	});

	it('mails the code through the injected sender and stores only a hash', async () => {
		const login = await newLogin();
		const result = await issue(login);
		expect(result).toMatchObject({ ok: true, destination: 'a***@example.com' });
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({
			smtpServerId: SETTINGS.smtpServerId,
			from: 'noreply@example.com',
			to: 'alice@example.com'
		});
		const code = lastCode();
		expect(sent[0].subject).not.toContain(code);
		expect(sent[0].html).toContain(code);
		const rows = await db().select().from(tables.otpChallenges);
		expect(rows).toHaveLength(1);
		expect(rows[0].codeHash).toMatch(/^[0-9a-f]{64}$/);
		expect(JSON.stringify(rows)).not.toContain(code);
		expect(rows[0].expiresAt.getTime() - T0.getTime()).toBe(300_000);
	});

	it('honours the code length and caps the validity at 10 minutes', async () => {
		const login = await newLogin();
		await issue(login, T0, { ...SETTINGS, codeLength: 8, validitySeconds: 3600 });
		expect(lastCode()).toHaveLength(8);
		const [row] = await db().select().from(tables.otpChallenges);
		expect(row.expiresAt.getTime() - T0.getTime()).toBe(600_000);
	});

	it('accepts the code at 4:59 and refuses it at 5:01', async () => {
		const early = await newLogin('user:early');
		await issue(early, T0, SETTINGS, 'user:early');
		expect(await verifyEmailOtp({ loginId: early, code: lastCode(), now: plus(299_000) })).toEqual({
			ok: true
		});
		const late = await newLogin('user:late');
		await issue(late, T0, SETTINGS, 'user:late');
		expect(
			await verifyEmailOtp({ loginId: late, code: lastCode(), now: plus(301_000) })
		).toMatchObject({
			ok: false,
			reason: 'expired'
		});
	});

	it('works once', async () => {
		const login = await newLogin();
		await issue(login);
		const code = lastCode();
		expect((await verifyEmailOtp({ loginId: login, code, now: T0 })).ok).toBe(true);
		expect(await verifyEmailOtp({ loginId: login, code, now: T0 })).toMatchObject({
			ok: false,
			reason: 'no-code'
		});
	});

	it('accepts spaces and dashes in the typed code', async () => {
		const login = await newLogin();
		await issue(login);
		const code = lastCode();
		const typed = ` ${code.slice(0, 3)} - ${code.slice(3)} `;
		expect((await verifyEmailOtp({ loginId: login, code: typed, now: T0 })).ok).toBe(true);
	});

	it('burns the code after 5 wrong tries: the 6th is refused even when right', async () => {
		const login = await newLogin();
		await issue(login);
		const code = lastCode();
		const wrong = code === '000000' ? '111111' : '000000';
		const left: number[] = [];
		for (let i = 0; i < 5; i++) {
			const result = await verifyEmailOtp({ loginId: login, code: wrong, now: T0 });
			expect(result.ok).toBe(false);
			if (!result.ok && result.reason === 'invalid') left.push(result.attemptsLeft);
			else if (!result.ok) left.push(result.reason === 'burned' ? 0 : -1);
		}
		expect(left).toEqual([4, 3, 2, 1, 0]);
		expect(await verifyEmailOtp({ loginId: login, code, now: T0 })).toMatchObject({
			ok: false,
			reason: 'burned'
		});
	});

	it('the 5th try may still be the right one', async () => {
		const login = await newLogin();
		await issue(login);
		const code = lastCode();
		const wrong = code === '000000' ? '111111' : '000000';
		for (let i = 0; i < 4; i++) await verifyEmailOtp({ loginId: login, code: wrong, now: T0 });
		expect((await verifyEmailOtp({ loginId: login, code, now: T0 })).ok).toBe(true);
	});

	it('refuses a code of login A for login B', async () => {
		const a = await newLogin('user:alice');
		const b = await newLogin('user:alice');
		await issue(a, T0);
		const codeA = lastCode();
		await issue(b, T0);
		const codeB = lastCode();
		if (codeA !== codeB)
			expect((await verifyEmailOtp({ loginId: b, code: codeA, now: T0 })).ok).toBe(false);
		expect((await verifyEmailOtp({ loginId: a, code: codeA, now: T0 })).ok).toBe(true);
		expect((await verifyEmailOtp({ loginId: b, code: codeB, now: T0 })).ok).toBe(true);
	});

	it('a resent code replaces the previous one; resend waits 30 s', async () => {
		const login = await newLogin();
		await issue(login, T0);
		const first = lastCode();
		const tooSoon = await issue(login, plus(29_000));
		expect(tooSoon).toMatchObject({ ok: false, reason: 'cooldown', retryAt: plus(30_000) });
		expect(sent).toHaveLength(1);
		const resent = await issue(login, plus(30_000));
		expect(resent.ok).toBe(true);
		const second = lastCode();
		if (first !== second)
			expect((await verifyEmailOtp({ loginId: login, code: first, now: plus(31_000) })).ok).toBe(
				false
			);
		expect((await verifyEmailOtp({ loginId: login, code: second, now: plus(31_000) })).ok).toBe(
			true
		);
	});

	it('sends at most 5 codes per 15 minutes per account, across logins', async () => {
		for (let i = 0; i < MAX_CODES_PER_WINDOW; i++) {
			const login = await newLogin();
			expect((await issue(login, plus(i * 60_000))).ok).toBe(true);
		}
		const sixth = await issue(await newLogin(), plus(5 * 60_000));
		expect(sixth).toMatchObject({ ok: false, reason: 'limit', retryAt: plus(15 * 60_000) });
		expect(sent).toHaveLength(5);
		// Another account is not affected.
		const other = await issue(await newLogin('user:bob'), plus(5 * 60_000), SETTINGS, 'user:bob');
		expect(other.ok).toBe(true);
		// Once the first code leaves the window, one more is allowed.
		expect((await issue(await newLogin(), plus(15 * 60_000 + 1000))).ok).toBe(true);
	});

	it('sends at most 25 codes per 15 minutes per requesting IP, over all accounts', async () => {
		const fromIp = async (i: number, ip: string) =>
			issueEmailOtp({
				loginId: await newLogin(`user:u${i}`),
				domainId,
				personKey: `user:u${i}`,
				to: `u${i}@example.com`,
				settings: SETTINGS,
				send,
				ip,
				now: plus(i * 1000)
			});
		for (let i = 0; i < MAX_CODES_PER_IP_WINDOW; i++)
			expect((await fromIp(i, '198.51.100.7')).ok).toBe(true);
		const refused = await fromIp(99, '198.51.100.7');
		expect(refused).toMatchObject({ ok: false, reason: 'limit', retryAt: plus(SEND_WINDOW_MS) });
		if (!refused.ok) expect(refused.message).toMatch(/network/);
		expect((await fromIp(100, '198.51.100.8')).ok).toBe(true);
	});

	it('two concurrent resends of one login send one code', async () => {
		const login = await newLogin();
		const results = await Promise.all([issue(login), issue(login)]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
		expect(sent).toHaveLength(1);
	});

	it('a code whose mail failed does not work', async () => {
		const login = await newLogin();
		let captured = '';
		const failing = async (m: OutgoingMail) => {
			captured = lastCode(m);
			throw new Error('421 try later');
		};
		const result = await issueEmailOtp({
			loginId: login,
			domainId,
			personKey: 'user:alice',
			to: 'alice@example.com',
			settings: SETTINGS,
			send: failing,
			now: T0
		});
		expect(result).toMatchObject({ ok: false, reason: 'mail-failed' });
		expect((await verifyEmailOtp({ loginId: login, code: captured, now: T0 })).ok).toBe(false);
	});

	it('describes the state for the code page', async () => {
		const login = await newLogin();
		expect(await describeEmailOtp(login, T0)).toBeNull();
		await issue(login);
		await verifyEmailOtp({ loginId: login, code: 'nope', now: T0 });
		expect(await describeEmailOtp(login, plus(10_000))).toEqual({
			destination: 'a***@example.com',
			expiresAt: plus(300_000),
			expired: false,
			attemptsLeft: 4,
			usedUp: false,
			resendAt: plus(30_000),
			cooldownSeconds: 20
		});
		expect((await describeEmailOtp(login, plus(301_000)))?.expired).toBe(true);
	});

	it('says a code whose tries are used up cannot be checked, without spending anything', async () => {
		const login = await newLogin();
		await issue(login);
		expect(await emailOtpRefusal(login, T0)).toBeNull();
		for (let i = 0; i < MAX_TRIES; i++)
			await verifyEmailOtp({ loginId: login, code: 'nope', now: T0 });
		expect(await emailOtpRefusal(login, T0)).toEqual({
			ok: false,
			reason: 'burned',
			message: 'Too many wrong codes: this code no longer works. Ask for a new one.'
		});
		expect(await describeEmailOtp(login, T0)).toMatchObject({ usedUp: true, attemptsLeft: 0 });
		expect((await emailOtpRefusal(login, plus(301_000)))?.reason).toBe('expired');
		expect((await emailOtpRefusal(await newLogin('user:bob'), T0))?.reason).toBe('no-code');
	});
});

describe('e-mail OTP under parallel requests', () => {
	it('compares at most 5 of 100 parallel tries of one code', async () => {
		const loginId = await newLogin();
		await issue(loginId);
		const code = lastCode();
		const wrong = code === '000000' ? '111111' : '000000';
		vi.mocked(nodeCrypto.timingSafeEqual).mockClear();
		const results = await Promise.all(
			Array.from({ length: 100 }, () => verifyEmailOtp({ loginId, code: wrong, now: T0 }))
		);
		expect(vi.mocked(nodeCrypto.timingSafeEqual).mock.calls).toHaveLength(MAX_TRIES);
		expect(results.filter((r) => !r.ok && r.reason === 'burned')).toHaveLength(100 - MAX_TRIES + 1);
		// burned: the right code is refused now
		expect((await verifyEmailOtp({ loginId, code, now: T0 })).ok).toBe(false);
	});
});
