/**
 * Seed data for mock mode: something on every screen that exists. Rule for later screens: each adds its own
 * seed here, pointing at the embedded sink (127.0.0.1:<sinkPort>) and the mocked Microsoft tenant.
 */
import { getServerSettings } from '../mail/servers.js';
import { recordConfigurationTest, runConfigurationTest } from '../mail/config-test.js';
import { seedMailHistory } from './mail-history.js';
import { createSmtpServer } from '../mail/servers.js';
import { SINK_CERT } from './sink-cert.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import { updateSiteSettings } from '../site/settings.js';
import { saveDefaultRecipients, saveSiteEmails } from '../site/emails.js';
import { seedIdentityDemo } from '../identity/seed.js';
import { seedMockLdapDomain } from './mock-ldap.js';
import { createNotificationProfile } from '../notify/profiles.js';
import { notificationProfileDefaults } from '../../schemas/notification-profiles.js';
import { findLocalUser, localPersonKey } from '../directory/local.js';
import {
	beginTotpEnrollment,
	confirmTotpEnrollment,
	DEFAULT_TOTP_OPTIONS,
	totpCode
} from '../otp/totp.js';

const audit = { actor: 'mock-seed' };

function server(fields: Partial<Record<string, unknown>>): SmtpServerForm {
	return {
		auth: 'none',
		name: '',
		host: '127.0.0.1',
		port: 25,
		security: 'none',
		fromAddress: 'noreply@postern.test',
		fromName: 'Postern',
		verifyTls: true,
		caPem: '',
		timeoutSeconds: 10,
		...fields
	} as SmtpServerForm;
}

export async function seedMockData({ sinkPort }: { sinkPort: number }) {
	const plain = await createSmtpServer(
		server({ name: 'Local relay (plain)', port: sinkPort }),
		audit
	);
	// The sink's certificate is self-signed (dev/sink-cert.ts): trusted through the CA field, verification on.
	await createSmtpServer(
		server({
			name: 'Corporate relay (STARTTLS, login)',
			port: sinkPort,
			security: 'starttls',
			caPem: SINK_CERT,
			auth: 'basic',
			username: 'relay-user',
			password: 'mock-relay-password'
		}),
		audit
	);
	const microsoft = await createSmtpServer(
		server({
			name: 'Microsoft 365 (mock tenant)',
			port: sinkPort,
			security: 'starttls',
			caPem: SINK_CERT,
			auth: 'microsoft',
			tenantId: '11111111-2222-3333-4444-555555555555',
			clientId: '66666666-7777-8888-9999-000000000000',
			clientSecret: 'mock-client-secret-value',
			clientSecretExpiresOn: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
			mailbox: 'alerts@postern.test',
			fromAddress: 'alerts@postern.test'
		}),
		audit
	);
	// Microsoft Graph sendMail on the mocked tenant: what it accepts lands in /dev/mailbox (dev/graph-relay.ts)
	const graph = await createSmtpServer(
		server({
			name: 'Microsoft Graph (mock tenant)',
			auth: 'graph',
			tenantId: '11111111-2222-3333-4444-555555555555',
			clientId: '77777777-8888-9999-aaaa-bbbbbbbbbbbb',
			clientSecret: 'mock-graph-secret-value',
			clientSecretExpiresOn: new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10),
			mailbox: 'noreply@postern.test',
			fromAddress: 'noreply@postern.test',
			cloud: 'global'
		}),
		audit
	);
	await saveSiteEmails(
		{
			adminEmail: 'admin@postern.test',
			supportEmail: 'support@postern.test',
			alertEmail: 'alerts@postern.test'
		},
		audit
	);
	await saveDefaultRecipients(['ops@postern.test', 'oncall@postern.test'], audit);
	if (plain.ok) {
		await updateSiteSettings(
			{ smtpEnabled: true, smtpServerId: plain.server.id, untestedSince: null },
			{ ...audit, what: 'mock seed' }
		);
		// a designer starts from a healthy console: the site's server has passed a real connection test
		// (against the sink; nothing is mailed); the toolbar's "Site e-mail untested" brings the banner back
		const settings = await getServerSettings(plain.server.id);
		if (settings)
			await recordConfigurationTest(await runConfigurationTest(settings, { mode: 'verify' }), {
				serverId: plain.server.id,
				serverName: plain.server.name,
				actor: audit.actor
			});
	}
	// OTP generators (codes and keys through the plain sink server), a local domain with e-mail codes,
	// a local test domain with TOTP, users (password: the seed's DEMO_PASSWORD) and applications.
	const identity = await seedIdentityDemo({
		smtpServerId: plain.ok ? plain.server.id : null,
		sender: 'noreply@postern.test'
	});
	const totpUser = await enrollDemoTotpUser(identity.totpDomainId, 'tom');
	// An LDAP domain on the mocked directory (ldap://ldap.mock.test, dev/mock-ldap.ts), e-mail codes.
	const ldap = await seedMockLdapDomain({ otpGeneratorId: identity.emailGeneratorId || null });
	// Two days of mail in the log, so its chart and counts have something to show
	if (plain.ok) await seedMailHistory(plain.server);
	const profiles = plain.ok ? await seedNotificationProfiles(plain.server.id, identity) : [];
	return { plain, microsoft, graph, identity, totpUser, ldap, profiles };
}

/**
 * Two notification profiles on the plain sink server: a launch of PLC mails two people at once (see it in
 * /dev/mailbox), and a disabled one that would group every launch into a 5-minute digest.
 */
async function seedNotificationProfiles(
	smtpServerId: string,
	identity: Awaited<ReturnType<typeof seedIdentityDemo>>
) {
	const [plcId] = identity.applicationIds;
	const made = [
		await createNotificationProfile(
			{
				...notificationProfileDefaults,
				step: '2',
				name: 'PLC launches',
				smtpServerId,
				recipients: ['ops@postern.test', 'security@postern.test'],
				applicationIds: plcId ? [plcId] : [],
				allApplications: !plcId
			},
			audit
		),
		await createNotificationProfile(
			{
				...notificationProfileDefaults,
				step: '2',
				name: 'Every launch (5-minute digest)',
				smtpServerId,
				recipients: ['audit@postern.test'],
				allApplications: true,
				groupingMinutes: 5,
				enabled: false
			},
			audit
		)
	];
	return made.flatMap((result) => (result.ok ? [result.profile] : []));
}

/**
 * One user enrolled in TOTP, whose current code the dev toolbar shows, so designers can pass the code
 * page without an authenticator app.
 */
async function enrollDemoTotpUser(domainId: string, username: string) {
	const user = await findLocalUser(domainId, username);
	if (!user) return null;
	const begun = await beginTotpEnrollment(
		{ domainId, personKey: localPersonKey(user.id), username },
		DEFAULT_TOTP_OPTIONS
	);
	if (!begun) return null;
	await confirmTotpEnrollment({
		enrollmentId: begun.enrollment.id,
		code: await totpCode(begun.secret)
	});
	return { username, secret: begun.secret };
}
