import { describe, expect, it } from 'vitest';
import { superValidate } from 'sveltekit-superforms';
import { zod4, zod4Client } from 'sveltekit-superforms/adapters';
import {
	otpGeneratorFormDefaults,
	otpGeneratorSchema,
	otpGeneratorTestSchema
} from './otp-generators.js';

const adapter = zod4(otpGeneratorSchema, { defaults: otpGeneratorFormDefaults });
const SERVER = '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d';

function post(fields: Record<string, string | undefined>) {
	const data = new FormData();
	for (const [name, value] of Object.entries(fields))
		if (value !== undefined) data.set(name, value);
	return data;
}

const emailFields = {
	type: 'email',
	name: 'Codes by mail',
	smtpServerId: SERVER,
	sender: 'noreply@example.com',
	codeLength: '6',
	validityMinutes: '5'
};
const totpFields = {
	type: 'totp',
	name: 'Authenticator',
	issuer: 'Postern',
	showQr: 'on',
	smtpServerId: '',
	sender: '',
	algorithm: 'sha1',
	digits: '6',
	period: '30'
};

describe('OTP generator form through superValidate (FormData)', () => {
	it('starts as "OTP – e-mail", 6 digits, 5 minutes', async () => {
		const form = await superValidate(adapter);
		expect(form.data).toMatchObject({ type: 'email', codeLength: 6, validityMinutes: 5 });
		expect(form.errors).toEqual({});
	});

	it('accepts an e-mail generator and drops TOTP fields', async () => {
		const form = await superValidate(post({ ...emailFields, issuer: 'left over' }), adapter);
		expect(form.valid).toBe(true);
		expect(form.data).toEqual({
			type: 'email',
			name: 'Codes by mail',
			smtpServerId: SERVER,
			fallbackSmtpServerId: '',
			sender: 'noreply@example.com',
			codeLength: 6,
			validityMinutes: 5
		});
	});

	it('e-mail: requires server and sender, keeps code length 6-8 and validity 1-10 minutes', async () => {
		const missing = await superValidate(
			post({ ...emailFields, smtpServerId: '', sender: '' }),
			adapter
		);
		expect(missing.errors.smtpServerId).toEqual(['Choose the SMTP server.']);
		expect(missing.errors.sender).toEqual(['Enter the sender address.']);
		for (const [field, value] of [
			['codeLength', '5'],
			['codeLength', '9'],
			['validityMinutes', '0'],
			['validityMinutes', '11']
		]) {
			const form = await superValidate(post({ ...emailFields, [field]: value }), adapter);
			expect(form.valid, `${field}=${value}`).toBe(false);
			expect(Object.keys(form.errors)).toEqual([field]);
		}
		const eight = await superValidate(
			post({ ...emailFields, codeLength: '8', validityMinutes: '10' }),
			adapter
		);
		expect(eight.valid).toBe(true);
	});

	it('refuses CR/LF in the display name and sender (header injection)', async () => {
		const form = await superValidate(
			post({ ...emailFields, name: 'A\nB', sender: 'a@example.com\r\nBcc: x@evil.test' }),
			adapter
		);
		expect(form.errors.name).toEqual(['Display name must be on one line.']);
		expect(form.errors.sender?.[0]).toMatch(/one line|not an e-mail/);
	});

	it('accepts a TOTP generator with the defaults (SHA-1, 6, 30 s); unticked boxes read as false', async () => {
		const form = await superValidate(post({ ...totpFields, showQr: undefined }), adapter);
		expect(form.valid).toBe(true);
		expect(form.data).toEqual({
			type: 'totp',
			name: 'Authenticator',
			issuer: 'Postern',
			showQr: false,
			sendKeyByEmail: false,
			smtpServerId: '',
			fallbackSmtpServerId: '',
			sender: '',
			algorithm: 'sha1',
			digits: 6,
			period: 30
		});
	});

	it('TOTP: SHA-256/512, 8 digits, 60 s allowed; anything else refused', async () => {
		const ok = await superValidate(
			post({ ...totpFields, algorithm: 'sha512', digits: '8', period: '60' }),
			adapter
		);
		expect(ok.valid).toBe(true);
		expect(ok.data).toMatchObject({ algorithm: 'sha512', digits: 8, period: 60 });
		for (const [field, value] of [
			['algorithm', 'md5'],
			['digits', '7'],
			['period', '45']
		]) {
			const form = await superValidate(post({ ...totpFields, [field]: value }), adapter);
			expect(form.valid, `${field}=${value}`).toBe(false);
			expect(Object.keys(form.errors)).toEqual([field]);
		}
	});

	it('TOTP: sending keys by e-mail needs the SMTP server and sender', async () => {
		const form = await superValidate(post({ ...totpFields, sendKeyByEmail: 'on' }), adapter);
		expect(form.valid).toBe(false);
		expect(form.errors.smtpServerId).toEqual(['Choose the SMTP server the keys are sent through.']);
		expect(form.errors.sender).toEqual(['Enter the sender address.']);
		const ok = await superValidate(
			post({
				...totpFields,
				sendKeyByEmail: 'on',
				smtpServerId: SERVER,
				sender: 'keys@example.com'
			}),
			adapter
		);
		expect(ok.valid).toBe(true);
		expect(ok.data).toMatchObject({ sendKeyByEmail: true, smtpServerId: SERVER });
	});

	it('TOTP: the issuer is required and may not hold a colon', async () => {
		const colon = await superValidate(post({ ...totpFields, issuer: 'ACME:Ops' }), adapter);
		expect(colon.errors.issuer).toEqual(['The issuer must not contain a colon (:).']);
		const blank = await superValidate(post({ ...totpFields, issuer: '' }), adapter);
		expect(blank.errors.issuer?.[0]).toMatch(/Enter the issuer/);
	});

	it('refuses an unknown type', async () => {
		const form = await superValidate(post({ ...emailFields, type: 'sms' }), adapter);
		expect(form.valid).toBe(false);
	});

	it('validates the same in the browser (zod4Client)', async () => {
		const client = zod4Client(otpGeneratorSchema);
		const good = await client.validate({
			...otpGeneratorFormDefaults,
			name: 'A',
			smtpServerId: SERVER,
			sender: 'a@example.com'
		});
		expect(good.success).toBe(true);
		const bad = await client.validate({ ...otpGeneratorFormDefaults, name: 'A' });
		expect(bad.success).toBe(false);
	});

	it('configuration test request needs an address', async () => {
		const a = zod4(otpGeneratorTestSchema);
		expect((await superValidate(post({ to: 'user@example.com' }), a)).valid).toBe(true);
		expect((await superValidate(post({ to: 'nope' }), a)).valid).toBe(false);
		expect((await superValidate(post({ to: 'a@example.com\nb' }), a)).valid).toBe(false);
	});
});
