import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { openSecret } from '../secrets.js';
import type { OutgoingMail } from './mail.js';
import {
	beginTotpEnrollment,
	checkTotpCode,
	confirmTotpEnrollment,
	describeTotpSetup,
	formatTotpKey,
	listTotpEnrollments,
	mailTotpKeyOnce,
	newTotpSecret,
	resetTotpEnrollment,
	totpCode,
	totpStep,
	totpUri,
	verifyTotpEnrollment,
	DEFAULT_TOTP_OPTIONS,
	type TotpOptions
} from './totp.js';

const RFC_SECRET_SHA1 = new TextEncoder().encode('12345678901234567890');
const RFC_SECRET_SHA256 = new TextEncoder().encode('12345678901234567890123456789012');
const RFC_SECRET_SHA512 = new TextEncoder().encode(
	'1234567890123456789012345678901234567890123456789012345678901234'
);
const EIGHT: TotpOptions = { algorithm: 'sha1', digits: 8, period: 30 };
const at = (seconds: number) => new Date(seconds * 1000);

describe('TOTP codes (RFC 6238)', () => {
	it('matches the RFC 6238 test vectors (T = 59 s and 1111111109 s)', async () => {
		expect(await totpCode(RFC_SECRET_SHA1, EIGHT, at(59))).toBe('94287082');
		expect(await totpCode(RFC_SECRET_SHA1, EIGHT, at(1111111109))).toBe('07081804');
		expect(
			await totpCode(RFC_SECRET_SHA256, { algorithm: 'sha256', digits: 8, period: 30 }, at(59))
		).toBe('46119246');
		expect(
			await totpCode(RFC_SECRET_SHA512, { algorithm: 'sha512', digits: 8, period: 30 }, at(59))
		).toBe('90693936');
	});

	it('accepts T-1, T and T+1, refuses T-2 and T+2', async () => {
		const secret = newTotpSecret();
		const now = at(1_700_000_015);
		const step = totpStep(now, 30);
		const codeAt = (offset: number) =>
			totpCode(secret, DEFAULT_TOTP_OPTIONS, at((step + offset) * 30));
		for (const offset of [-1, 0, 1]) {
			const result = await checkTotpCode({ secret, code: await codeAt(offset), now });
			expect(result, `T${offset >= 0 ? '+' : ''}${offset}`).toEqual({
				valid: true,
				step: step + offset
			});
		}
		for (const offset of [-2, 2]) {
			const result = await checkTotpCode({ secret, code: await codeAt(offset), now });
			expect(result.valid, `T${offset}`).toBe(false);
		}
	});

	it('refuses steps at or before afterStep, and says it is a replay', async () => {
		const secret = newTotpSecret();
		const now = at(1_700_000_015);
		const step = totpStep(now, 30);
		const current = await totpCode(secret, DEFAULT_TOTP_OPTIONS, now);
		expect(await checkTotpCode({ secret, code: current, now, afterStep: step })).toEqual({
			valid: false,
			replay: true
		});
		const previous = await totpCode(secret, DEFAULT_TOTP_OPTIONS, at((step - 1) * 30));
		expect(await checkTotpCode({ secret, code: previous, now, afterStep: step })).toEqual({
			valid: false,
			replay: true
		});
		// A step far in the future (clock set back after use): nothing is acceptable, no exception.
		expect((await checkTotpCode({ secret, code: current, now, afterStep: step + 5 })).valid).toBe(
			false
		);
		expect(await checkTotpCode({ secret, code: current, now, afterStep: step - 1 })).toEqual({
			valid: true,
			step
		});
	});

	it('honours the generator options: SHA-512, 8 digits, 60 s', async () => {
		const secret = newTotpSecret();
		const options: TotpOptions = { algorithm: 'sha512', digits: 8, period: 60 };
		const now = at(1_700_000_000);
		const code = await totpCode(secret, options, now);
		expect(code).toMatch(/^\d{8}$/);
		expect(
			await checkTotpCode({ secret, code, options, now: at(1_700_000_000 + 59) })
		).toMatchObject({
			valid: true
		});
		// With the default options the same code is not a valid 6-digit SHA-1 code.
		expect((await checkTotpCode({ secret, code, now })).valid).toBe(false);
	});

	it('refuses codes of the wrong shape without asking otplib', async () => {
		const secret = newTotpSecret();
		for (const code of ['', '12345', '1234567', 'abcdef', '12 34 5'])
			expect((await checkTotpCode({ secret, code })).valid).toBe(false);
	});

	it('makes 160-bit secrets, an otpauth URI with issuer and account, and a readable key', () => {
		const secret = newTotpSecret();
		expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes in base32
		const uri = new URL(
			totpUri({ secret, issuer: 'ACME Co', account: 'alice@example.com', options: EIGHT })
		);
		expect(uri.protocol).toBe('otpauth:');
		expect(uri.host).toBe('totp');
		expect(decodeURIComponent(uri.pathname)).toBe('/ACME Co:alice@example.com');
		expect(uri.searchParams.get('secret')).toBe(secret);
		expect(uri.searchParams.get('issuer')).toBe('ACME Co');
		expect(uri.searchParams.get('digits')).toBe('8');
		expect(formatTotpKey('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
	});
});

describe('TOTP enrollments (database)', () => {
	let database: Database;
	let domainId: string;
	const person = () => ({ domainId, personKey: 'user:1', username: 'alice' });

	beforeEach(async () => {
		database = await freshTestDatabase();
		const [domain] = await db()
			.insert(tables.domains)
			.values({ kind: 'local', name: 'Local', emailAttribute: 'email' })
			.returning();
		domainId = domain.id;
	});
	afterEach(async () => {
		await database.close();
	});

	async function enrolled(now: Date) {
		const begun = (await beginTotpEnrollment(person(), DEFAULT_TOTP_OPTIONS))!;
		const code = await totpCode(begun.secret, DEFAULT_TOTP_OPTIONS, now);
		expect(
			await confirmTotpEnrollment({ enrollmentId: begun.enrollment.id, code, now })
		).toMatchObject({
			ok: true
		});
		return begun;
	}

	it('stores the secret sealed, reuses the pending one, refuses a second one once confirmed', async () => {
		const first = (await beginTotpEnrollment(person(), DEFAULT_TOTP_OPTIONS))!;
		expect(first.created).toBe(true);
		const [row] = await db().select().from(tables.totpEnrollments);
		expect(row.secretSealed).not.toContain(first.secret);
		expect(row.secretSealed.startsWith('v1.')).toBe(true);
		expect(openSecret(row.secretSealed)).toBe(first.secret);
		const again = (await beginTotpEnrollment(person(), DEFAULT_TOTP_OPTIONS))!;
		expect(again).toMatchObject({ created: false, secret: first.secret });
		const now = new Date();
		await confirmTotpEnrollment({
			enrollmentId: first.enrollment.id,
			code: await totpCode(first.secret, DEFAULT_TOTP_OPTIONS, now),
			now
		});
		expect(await beginTotpEnrollment(person(), DEFAULT_TOTP_OPTIONS)).toBeNull();
	});

	it('renders the setup: QR SVG only when asked, key text, options', async () => {
		const { enrollment, secret } = (await beginTotpEnrollment(person(), DEFAULT_TOTP_OPTIONS))!;
		const withQr = await describeTotpSetup({
			enrollment,
			secret,
			issuer: 'Postern',
			account: 'alice',
			showQr: true
		});
		expect(withQr.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
		expect(withQr.qrSvg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
		expect(withQr).toMatchObject({ algorithm: 'SHA-1', digits: 6, period: 30, account: 'alice' });
		expect(withQr.keyText.replace(/ /g, '')).toBe(secret);
		expect(withQr.otpauthUri).toContain(`secret=${secret}`);
		const without = await describeTotpSetup({
			enrollment,
			secret,
			issuer: 'Postern',
			account: 'alice',
			showQr: false
		});
		expect(without.qrSvg).toBeNull();
	});

	it('confirm refuses a wrong code and accepts a current one', async () => {
		const { enrollment, secret } = (await beginTotpEnrollment(person(), DEFAULT_TOTP_OPTIONS))!;
		const now = at(1_700_000_000);
		expect(
			await confirmTotpEnrollment({ enrollmentId: enrollment.id, code: '000000', now })
		).toEqual({
			ok: false,
			reason: 'invalid'
		});
		const old = await totpCode(secret, DEFAULT_TOTP_OPTIONS, at(1_700_000_000 - 90));
		expect((await confirmTotpEnrollment({ enrollmentId: enrollment.id, code: old, now })).ok).toBe(
			false
		);
		const code = await totpCode(secret, DEFAULT_TOTP_OPTIONS, now);
		expect(await confirmTotpEnrollment({ enrollmentId: enrollment.id, code, now })).toEqual({
			ok: true,
			step: totpStep(now, 30)
		});
	});

	it('a code used to confirm cannot sign in; the next step can, once', async () => {
		const now = at(1_700_000_000);
		const { secret } = await enrolled(now);
		const sameCode = await totpCode(secret, DEFAULT_TOTP_OPTIONS, now);
		expect(await verifyTotpEnrollment({ ...person(), code: sameCode, now })).toEqual({
			ok: false,
			reason: 'replay'
		});
		const later = at(1_700_000_000 + 30);
		const next = await totpCode(secret, DEFAULT_TOTP_OPTIONS, later);
		expect(await verifyTotpEnrollment({ ...person(), code: next, now: later })).toMatchObject({
			ok: true
		});
		expect(await verifyTotpEnrollment({ ...person(), code: next, now: later })).toEqual({
			ok: false,
			reason: 'replay'
		});
	});

	it('refuses the code of T-1 after T was used', async () => {
		const start = at(1_700_000_000);
		const { secret } = await enrolled(at(1_700_000_000 - 300));
		const step = totpStep(start, 30);
		const codeT = await totpCode(secret, DEFAULT_TOTP_OPTIONS, start);
		const codeTminus1 = await totpCode(secret, DEFAULT_TOTP_OPTIONS, at((step - 1) * 30));
		expect((await verifyTotpEnrollment({ ...person(), code: codeT, now: start })).ok).toBe(true);
		expect(await verifyTotpEnrollment({ ...person(), code: codeTminus1, now: start })).toEqual({
			ok: false,
			reason: 'replay'
		});
		const [row] = await db().select().from(tables.totpEnrollments);
		expect(row.lastUsedStep).toBe(step);
	});

	it('lets only one of two concurrent requests spend a step', async () => {
		const now = at(1_700_000_000);
		const { secret } = await enrolled(at(1_700_000_000 - 300));
		const code = await totpCode(secret, DEFAULT_TOTP_OPTIONS, now);
		const results = await Promise.all([
			verifyTotpEnrollment({ ...person(), code, now }),
			verifyTotpEnrollment({ ...person(), code, now })
		]);
		expect(results.filter((r) => r.ok)).toHaveLength(1);
	});

	it('a wrong code is invalid; no enrollment is not-enrolled', async () => {
		const now = at(1_700_000_000);
		await enrolled(now);
		expect(
			await verifyTotpEnrollment({ ...person(), code: '123456', now: at(1_700_000_100) })
		).toEqual(expect.objectContaining({ ok: false }));
		expect(
			await verifyTotpEnrollment({ domainId, personKey: 'user:2', code: '123456', now })
		).toEqual({ ok: false, reason: 'not-enrolled' });
	});

	it('keeps the options copied at enrollment when the generator changes later', async () => {
		const options: TotpOptions = { algorithm: 'sha256', digits: 8, period: 60 };
		const { enrollment, secret } = (await beginTotpEnrollment(person(), options))!;
		const now = at(1_700_000_000);
		const code = await totpCode(secret, options, now);
		expect(code).toHaveLength(8);
		expect((await confirmTotpEnrollment({ enrollmentId: enrollment.id, code, now })).ok).toBe(true);
	});

	it('mails the key once per enrollment, again after a reset, and audits both', async () => {
		const sent: OutgoingMail[] = [];
		const send = async (m: OutgoingMail) => {
			sent.push(m);
		};
		const mail = async () => {
			const { enrollment, secret } = (await beginTotpEnrollment(person(), DEFAULT_TOTP_OPTIONS))!;
			return {
				secret,
				result: await mailTotpKeyOnce({
					enrollment,
					secret,
					to: 'alice@example.com',
					issuer: 'Postern',
					account: 'alice',
					smtpServerId: '00000000-0000-4000-8000-000000000000',
					from: 'noreply@example.com',
					send
				})
			};
		};
		const first = await mail();
		expect(first.result).toEqual({ sent: true, destination: 'a***@example.com' });
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({ to: 'alice@example.com', from: 'noreply@example.com' });
		expect(sent[0].text).toContain(formatTotpKey(first.secret));
		expect(sent[0].subject).not.toContain(first.secret);
		expect((await mail()).result).toEqual({ sent: false, reason: 'already' });
		expect(sent).toHaveLength(1);

		expect(
			await resetTotpEnrollment({
				domainId,
				personKey: 'user:1',
				username: 'alice',
				actor: 'admin'
			})
		).toEqual({ reset: true });
		const afterReset = await mail();
		expect(afterReset.result).toMatchObject({ sent: true });
		expect(afterReset.secret).not.toBe(first.secret);
		expect(sent).toHaveLength(2);

		const audit = await db().select().from(tables.auditLog);
		expect(audit.map((a) => a.action).sort()).toEqual([
			'totp.key_mailed',
			'totp.key_mailed',
			'totp.reset'
		]);
		expect(JSON.stringify(audit)).not.toContain(first.secret);
	});

	it('a failed key mail is sent again by the next call (the next sign-in)', async () => {
		const { enrollment, secret } = (await beginTotpEnrollment(person(), DEFAULT_TOTP_OPTIONS))!;
		const args = {
			enrollment,
			secret,
			to: 'alice@example.com',
			issuer: 'Postern',
			account: 'alice',
			smtpServerId: '00000000-0000-4000-8000-000000000000',
			from: 'noreply@example.com'
		};
		const failing = await mailTotpKeyOnce({
			...args,
			send: () => Promise.reject(new Error('down'))
		});
		expect(failing).toEqual({ sent: false, reason: 'failed' });
		const ok = await mailTotpKeyOnce({ ...args, send: async () => {} });
		expect(ok.sent).toBe(true);
	});

	it('after a reset the person enrolls again and the old key no longer works', async () => {
		const now = at(1_700_000_000);
		const { secret } = await enrolled(now);
		await resetTotpEnrollment({ domainId, personKey: 'user:1', username: 'alice', actor: 'admin' });
		const later = at(1_700_000_060);
		const oldKeyCode = await totpCode(secret, DEFAULT_TOTP_OPTIONS, later);
		expect(await verifyTotpEnrollment({ ...person(), code: oldKeyCode, now: later })).toEqual({
			ok: false,
			reason: 'not-enrolled'
		});
		const again = (await beginTotpEnrollment(person(), DEFAULT_TOTP_OPTIONS))!;
		expect(again.created).toBe(true);
		expect(again.secret).not.toBe(secret);
		const list = await listTotpEnrollments(domainId);
		expect(list).toHaveLength(1);
		expect(list[0]).toMatchObject({ username: 'alice', confirmedAt: null });
		expect(JSON.stringify(list)).not.toContain(again.secret);
		const [row] = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.action, 'totp.reset'));
		expect(row).toMatchObject({
			actor: 'admin',
			detail: { username: 'alice', hadEnrollment: true }
		});
	});
});
