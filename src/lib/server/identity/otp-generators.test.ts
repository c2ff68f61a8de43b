import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { findServerUsages } from '../mail/usages.js';
import { otpGeneratorSchema, type OtpGeneratorForm } from '../../schemas/otp-generators.js';
import {
	createOtpGenerator,
	deleteOtpGenerator,
	getOtpGenerator,
	listOtpGenerators,
	otpGeneratorFormValues,
	otpGeneratorUsagesOfServers,
	sampleOtpMail,
	updateOtpGenerator
} from './otp-generators.js';

let database: Database;
let serverId: string;
const admin = { actor: 'alice' };

beforeEach(async () => {
	database = await freshTestDatabase();
	const [server] = await db()
		.insert(tables.smtpServers)
		.values({
			name: 'Relay',
			host: 'smtp.example.com',
			port: 587,
			security: 'starttls',
			fromAddress: 'a@example.com'
		})
		.returning();
	serverId = server.id;
});
afterEach(async () => {
	await database.close();
});

const emailForm = (): OtpGeneratorForm => ({
	type: 'email',
	name: 'Codes',
	smtpServerId: serverId,
	fallbackSmtpServerId: '',
	sender: 'noreply@example.com',
	codeLength: 8,
	validityMinutes: 10
});
const totpForm = (): OtpGeneratorForm => ({
	type: 'totp',
	name: 'Authenticator',
	issuer: 'ACME',
	showQr: true,
	sendKeyByEmail: false,
	smtpServerId: '',
	fallbackSmtpServerId: '',
	sender: '',
	algorithm: 'sha256',
	digits: 8,
	period: 60
});

describe('OTP generators', () => {
	it('stores an e-mail generator (validity in seconds) and a TOTP one; lists them by name', async () => {
		const email = await createOtpGenerator(emailForm(), admin);
		expect(email).toMatchObject({
			ok: true,
			generator: {
				type: 'email',
				codeLength: 8,
				validitySeconds: 600,
				smtpServerName: 'Relay',
				usedBy: []
			}
		});
		const totp = await createOtpGenerator(totpForm(), admin);
		expect(totp).toMatchObject({
			ok: true,
			generator: { type: 'totp', algorithm: 'sha256', digits: 8, period: 60, smtpServerId: null }
		});
		expect((await listOtpGenerators()).map((g) => g.name)).toEqual(['Authenticator', 'Codes']);
	});

	it('round-trips through the form schema', async () => {
		for (const form of [emailForm(), totpForm()]) {
			const created = await createOtpGenerator(form, admin);
			if (!created.ok) throw new Error(created.message);
			const values = otpGeneratorFormValues(created.generator);
			const parsed = otpGeneratorSchema.parse(values);
			expect(parsed).toEqual(form);
		}
	});

	it('refuses a missing SMTP server and a taken name', async () => {
		expect(
			await createOtpGenerator(
				{ ...emailForm(), smtpServerId: '00000000-0000-4000-8000-000000000000' },
				admin
			)
		).toMatchObject({ ok: false, field: 'smtpServerId', code: 'server_missing' });
		await createOtpGenerator(emailForm(), admin);
		expect(await createOtpGenerator({ ...totpForm(), name: 'CODES' }, admin)).toMatchObject({
			field: 'name',
			code: 'name_taken'
		});
	});

	it('updates and audits what changed; the audit keeps no secret-like fields out by accident', async () => {
		const created = await createOtpGenerator(totpForm(), admin);
		if (!created.ok) throw new Error('refused');
		const updated = await updateOtpGenerator(
			created.generator.id,
			{
				...totpForm(),
				sendKeyByEmail: true,
				smtpServerId: serverId,
				sender: 'keys@example.com'
			} as OtpGeneratorForm,
			admin
		);
		expect(updated).toMatchObject({
			ok: true,
			generator: { sendKeyByEmail: true, sender: 'keys@example.com' }
		});
		const [entry] = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.action, 'otp_generator.updated'));
		expect(entry.detail).toMatchObject({
			mailsEnrollment: true,
			changed: ['smtpServerId', 'sender', 'sendKeyByEmail']
		});
	});

	it('refuses to delete a generator a domain uses, then deletes it once unused', async () => {
		const created = await createOtpGenerator(emailForm(), admin);
		if (!created.ok) throw new Error('refused');
		const [domain] = await db()
			.insert(tables.domains)
			.values({
				kind: 'local',
				name: 'Main',
				emailAttribute: 'email',
				otpGeneratorId: created.generator.id
			})
			.returning();
		expect((await getOtpGenerator(created.generator.id))?.usedBy).toEqual([
			{ id: domain.id, name: 'Main' }
		]);
		expect(await deleteOtpGenerator(created.generator.id, admin)).toMatchObject({
			ok: false,
			code: 'in_use',
			usedBy: [{ name: 'Main' }]
		});
		await db().update(tables.domains).set({ otpGeneratorId: null });
		expect(await deleteOtpGenerator(created.generator.id, admin)).toEqual({ ok: true });
	});

	it('tells the SMTP servers page which generators use a server', async () => {
		await createOtpGenerator(emailForm(), admin);
		expect(await otpGeneratorUsagesOfServers([serverId])).toEqual([
			{ serverId, kind: 'OTP generator (e-mail)', name: 'Codes' }
		]);
		expect(await findServerUsages(serverId)).toContainEqual({
			kind: 'OTP generator (e-mail)',
			name: 'Codes'
		});
	});

	it('keeps a fallback SMTP server: another existing server, listed as a use of it; never the server itself', async () => {
		const [other] = await db()
			.insert(tables.smtpServers)
			.values({
				name: 'Backup relay',
				host: 'backup.example.com',
				port: 587,
				security: 'starttls',
				fromAddress: 'a@example.com'
			})
			.returning();
		const saved = await createOtpGenerator(
			{ ...emailForm(), fallbackSmtpServerId: other.id },
			admin
		);
		expect(saved.ok).toBe(true);
		const view = await getOtpGenerator(saved.ok ? saved.generator.id : '');
		expect(view).toMatchObject({
			fallbackSmtpServerId: other.id,
			fallbackSmtpServerName: 'Backup relay'
		});
		expect(otpGeneratorFormValues(view!).fallbackSmtpServerId).toBe(other.id);
		expect(await findServerUsages(other.id)).toContainEqual({
			kind: 'OTP generator (e-mail), as fallback',
			name: 'Codes'
		});
		// the same server twice is no fallback: the form says so on the field
		const same = otpGeneratorSchema.safeParse({ ...emailForm(), fallbackSmtpServerId: serverId });
		expect(same.success).toBe(false);
		expect(same.error?.issues[0]).toMatchObject({
			path: ['fallbackSmtpServerId'],
			message: 'Choose another server than the SMTP server itself, or none.'
		});
		// a fallback that does not exist is refused on its field
		const missing = await createOtpGenerator(
			{
				...emailForm(),
				name: 'Other codes',
				fallbackSmtpServerId: '00000000-0000-4000-8000-000000000000'
			},
			admin
		);
		expect(missing).toMatchObject({ ok: false, field: 'fallbackSmtpServerId' });
	});

	it('composes a sample code message for the configuration test', () => {
		const mail = sampleOtpMail(
			{
				smtpServerId: serverId,
				sender: 'noreply@example.com',
				codeLength: 7,
				name: 'Codes\r\nBcc: x'
			},
			'me@example.com'
		);
		expect(mail).toMatchObject({
			smtpServerId: serverId,
			from: 'noreply@example.com',
			to: 'me@example.com'
		});
		expect(mail.subject).not.toMatch(/[\r\n]/);
		expect(mail.text).toMatch(/\b\d{7}\b/);
	});
});
