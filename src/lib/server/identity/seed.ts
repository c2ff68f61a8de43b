/**
 * Demo identity data for mock/dev mode and tests: an e-mail OTP generator, a TOTP generator, a local domain
 * using e-mail codes with a user who has an e-mail address and one who has none, a local test domain using
 * TOTP, and a few applications. Runs once: when the domain "Example" exists already, nothing is added and
 * the existing records are returned.
 */
import { eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { hashPassword } from '../auth/password.js';

export const DEMO_PASSWORD = 'Postern demo pass 2030!';

export interface IdentitySeed {
	emailGeneratorId: string;
	totpGeneratorId: string;
	/** Local domain, e-mail OTP. */
	emailDomainId: string;
	/** Local test domain, TOTP. */
	totpDomainId: string;
	users: { domainId: string; username: string; password: string; email: string | null }[];
	applicationIds: string[];
}

export async function seedIdentityDemo(
	options: {
		/** The SMTP server codes and keys go through (mock mode: the dev sink's); null leaves it unset. */
		smtpServerId?: string | null;
		sender?: string;
		password?: string;
	} = {}
): Promise<IdentitySeed> {
	const password = options.password ?? DEMO_PASSWORD;
	const sender = options.sender ?? 'noreply@postern.test';
	const smtpServerId = options.smtpServerId ?? null;
	const existing = await findDomainByName('Example');
	if (existing) return describeExisting(existing.id, password);

	return db().transaction(async (tx) => {
		const [emailGenerator] = await tx
			.insert(tables.otpGenerators)
			.values({
				type: 'email',
				name: 'Codes by e-mail',
				smtpServerId,
				sender,
				codeLength: 6,
				validitySeconds: 300
			})
			.returning();
		const [totpGenerator] = await tx
			.insert(tables.otpGenerators)
			.values({
				type: 'totp',
				name: 'Authenticator app',
				issuer: 'Postern demo',
				smtpServerId,
				sender,
				showQr: true,
				sendKeyByEmail: false
			})
			.returning();
		const [emailDomain] = await tx
			.insert(tables.domains)
			.values({
				kind: 'local',
				name: 'Example',
				otpGeneratorId: emailGenerator.id,
				emailAttribute: 'email'
			})
			.returning();
		const [totpDomain] = await tx
			.insert(tables.domains)
			.values({
				kind: 'local',
				name: 'Example TOTP',
				isTest: true,
				otpGeneratorId: totpGenerator.id,
				emailAttribute: 'email'
			})
			.returning();
		const hash = await hashPassword(password);
		const people = [
			{
				domainId: emailDomain.id,
				username: 'jane',
				displayName: 'Jane Mail',
				email: 'jane@postern.test'
			},
			{
				domainId: emailDomain.id,
				username: 'kiosk',
				displayName: 'Kiosk (no e-mail)',
				email: null
			},
			{
				domainId: totpDomain.id,
				username: 'tom',
				displayName: 'Tom Totp',
				email: 'tom@postern.test'
			}
		];
		await tx.insert(tables.users).values(people.map((p) => ({ ...p, passwordHash: hash })));
		const apps = await tx
			.insert(tables.applications)
			.values([
				{
					name: 'PLC',
					url: 'https://plc.postern.test/',
					description: 'Line 3 programmable logic controller (HMI).'
				},
				{ name: 'Wiki', url: 'https://wiki.postern.test/', description: 'Team documentation.' },
				{
					name: 'Monitoring',
					url: 'https://grafana.postern.test/',
					description: 'Dashboards and alerts.'
				}
			])
			.returning({ id: tables.applications.id });
		return {
			emailGeneratorId: emailGenerator.id,
			totpGeneratorId: totpGenerator.id,
			emailDomainId: emailDomain.id,
			totpDomainId: totpDomain.id,
			users: people.map(({ domainId, username, email }) => ({
				domainId,
				username,
				email,
				password
			})),
			applicationIds: apps.map((a) => a.id)
		};
	});
}

async function findDomainByName(name: string) {
	const [row] = await db()
		.select()
		.from(tables.domains)
		.where(sql`lower(${tables.domains.name}) = lower(${name})`);
	return row ?? null;
}

async function describeExisting(emailDomainId: string, password: string): Promise<IdentitySeed> {
	const emailDomain = (await findDomainByName('Example'))!;
	const totpDomain = await findDomainByName('Example TOTP');
	const users = await db()
		.select()
		.from(tables.users)
		.where(sql`${tables.users.domainId} in (${emailDomainId}, ${totpDomain?.id ?? emailDomainId})`);
	const apps = await db().select({ id: tables.applications.id }).from(tables.applications);
	const [totpGenerator] = totpDomain?.otpGeneratorId
		? await db()
				.select()
				.from(tables.otpGenerators)
				.where(eq(tables.otpGenerators.id, totpDomain.otpGeneratorId))
		: [];
	return {
		emailGeneratorId: emailDomain.otpGeneratorId ?? '',
		totpGeneratorId: totpGenerator?.id ?? '',
		emailDomainId,
		totpDomainId: totpDomain?.id ?? '',
		users: users.map((u) => ({
			domainId: u.domainId,
			username: u.username,
			email: u.email,
			password
		})),
		applicationIds: apps.map((a) => a.id)
	};
}
