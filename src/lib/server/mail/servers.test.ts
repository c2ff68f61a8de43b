import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { openSecret } from '../secrets.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import { startSmtpPeer, PEER_USER, type SmtpPeer } from '../testing/smtp-peers.js';
import { getTestCertificates } from '../testing/test-certs.js';
import {
	buildServerFormValues,
	createSmtpServer,
	deleteSmtpServer,
	findServerUsages,
	getServerSettings,
	getSmtpServer,
	listSmtpServers,
	resolveServerSettings,
	updateSmtpServer
} from './servers.js';
import { registerServerUsage, unregisterServerUsage } from './usages.js';
// the site's use of a server registers when its module loads, as start-up does
import '../site/settings.js';
import { recordConfigurationTest, runConfigurationTest } from './config-test.js';

let database: Database;
const peers: SmtpPeer[] = [];
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	unregisterServerUsage('test-profiles');
	await Promise.all(peers.splice(0).map((p) => p.close()));
	await database.close();
});

const audit = { actor: 'alice', ip: '192.0.2.1' };
const PASSWORD = 'MARKER-stored-password-51c2';
const SECRET = 'MARKER~client~secret~value~8d1e0f0123456';
const TEST_CA = getTestCertificates().ca;

type BasicForm = Extract<SmtpServerForm, { auth: 'basic' }>;
type MicrosoftForm = Extract<SmtpServerForm, { auth: 'microsoft' }>;

const basicForm = (over: Partial<BasicForm> = {}): BasicForm => ({
	auth: 'basic',
	name: 'Relay',
	host: 'smtp.example.com',
	port: 587,
	security: 'starttls',
	fromAddress: 'noreply@example.com',
	fromName: 'Postern',
	verifyTls: true,
	caPem: '',
	timeoutSeconds: 15,
	username: 'mailer',
	password: PASSWORD,
	...over
});

const microsoftForm = (over: Partial<MicrosoftForm> = {}): MicrosoftForm => ({
	auth: 'microsoft',
	name: 'Microsoft 365',
	host: 'smtp.office365.com',
	port: 587,
	security: 'starttls',
	fromAddress: 'alerts@contoso.com',
	fromName: '',
	verifyTls: true,
	caPem: '',
	timeoutSeconds: 15,
	tenantId: '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d',
	clientId: '11111111-2222-3333-4444-555555555555',
	clientSecret: SECRET,
	clientSecretExpiresOn: '2027-05-01',
	mailbox: 'alerts@contoso.com',
	cloud: 'global',
	...over
});

async function create(form: SmtpServerForm) {
	const result = await createSmtpServer(form, audit);
	if (!result.ok) throw new Error(result.message);
	return result.server;
}

async function rowOf(id: string) {
	const [row] = await db().select().from(tables.smtpServers).where(eq(tables.smtpServers.id, id));
	return row;
}

describe('SMTP server records', () => {
	it('seals the password and shows pages only that one is set', async () => {
		const server = await create(basicForm());
		expect(server).toMatchObject({
			name: 'Relay',
			auth: 'basic',
			username: 'mailer',
			hasPassword: true
		});
		expect(JSON.stringify(server)).not.toContain(PASSWORD);
		expect(JSON.stringify(await listSmtpServers())).not.toContain(PASSWORD);
		const row = await rowOf(server.id);
		expect(row.passwordSealed).toMatch(/^v1\./);
		expect(row.passwordSealed).not.toContain(PASSWORD);
		expect(openSecret(row.passwordSealed!)).toBe(PASSWORD);
		const settings = await getServerSettings(server.id);
		expect(settings?.auth).toEqual({ type: 'basic', username: 'mailer', password: PASSWORD });
	});

	it('seals the client secret, keeps its expiry and badge', async () => {
		const server = await create(microsoftForm());
		expect(server).toMatchObject({
			auth: 'microsoft',
			hasClientSecret: true,
			hasPassword: false,
			clientSecretExpiresOn: '2027-05-01',
			mailbox: 'alerts@contoso.com'
		});
		expect(JSON.stringify(server)).not.toContain(SECRET);
		expect(openSecret((await rowOf(server.id)).clientSecretSealed!)).toBe(SECRET);
	});

	it('needs a password for a new basic server and a secret for a new Microsoft one', async () => {
		expect(await createSmtpServer(basicForm({ password: '' }), audit)).toMatchObject({
			ok: false,
			field: 'password',
			code: 'secret_required'
		});
		expect(await createSmtpServer(microsoftForm({ clientSecret: '' }), audit)).toMatchObject({
			ok: false,
			field: 'clientSecret',
			code: 'secret_required'
		});
		expect(await listSmtpServers()).toHaveLength(0);
	});

	it('refuses a display name already used, whatever the case', async () => {
		await create(basicForm());
		expect(await createSmtpServer(basicForm({ name: 'RELAY' }), audit)).toMatchObject({
			ok: false,
			field: 'name',
			code: 'name_taken'
		});
		const other = await create(basicForm({ name: 'Other' }));
		expect(
			await updateSmtpServer(other.id, basicForm({ name: 'relay', password: '' }), audit)
		).toMatchObject({
			code: 'name_taken'
		});
	});

	it('keeps the stored password when the form leaves it blank and only the name changed', async () => {
		const server = await create(basicForm());
		const result = await updateSmtpServer(
			server.id,
			basicForm({ name: 'Renamed', password: '', timeoutSeconds: 30 }),
			audit
		);
		expect(result.ok).toBe(true);
		const settings = await getServerSettings(server.id);
		expect(settings).toMatchObject({ name: 'Renamed', timeoutSeconds: 30 });
		expect(settings?.auth).toMatchObject({ password: PASSWORD });
	});

	it('saves delivery limits, and shows the host defaults that apply to blank ones', async () => {
		const microsoft = await create(microsoftForm());
		expect(microsoft.limits).toEqual({
			maxConnections: 3,
			messagesPerMinute: 30,
			recipientsPerDay: 10_000
		});
		const result = await updateSmtpServer(
			microsoft.id,
			microsoftForm({ clientSecret: '', maxConnections: 2, recipientsPerDay: 5000 }),
			audit
		);
		expect(result.ok && result.server.limits).toEqual({
			maxConnections: 2,
			messagesPerMinute: 30,
			recipientsPerDay: 5000
		});
		expect(await rowOf(microsoft.id)).toMatchObject({
			maxConnections: 2,
			messagesPerMinute: null,
			recipientsPerDay: 5000
		});
		const relay = await create(basicForm({ name: 'Relay two' }));
		expect(relay.limits).toEqual({
			maxConnections: 3,
			messagesPerMinute: null,
			recipientsPerDay: null
		});
	});

	it('refuses to carry the stored password to a new host (Keycloak #39486)', async () => {
		const server = await create(basicForm());
		const result = await updateSmtpServer(
			server.id,
			basicForm({ host: 'smtp.attacker.example', password: '' }),
			audit
		);
		expect(result).toMatchObject({
			ok: false,
			field: 'password',
			code: 'secret_retype',
			changed: ['host']
		});
		expect((await getSmtpServer(server.id))?.host).toBe('smtp.example.com');
		const typed = await updateSmtpServer(
			server.id,
			basicForm({ host: 'smtp.attacker.example', password: 'a new one' }),
			audit
		);
		expect(typed.ok).toBe(true);
		expect((await getServerSettings(server.id))?.auth).toMatchObject({ password: 'a new one' });
	});

	it('refuses to reuse the stored password once TLS verification is turned off or the CA changes', async () => {
		const server = await create(basicForm());
		expect(
			await updateSmtpServer(server.id, basicForm({ verifyTls: false, password: '' }), audit)
		).toMatchObject({
			ok: false,
			field: 'password',
			code: 'secret_retype',
			changed: ['verifyTls'],
			message: expect.stringMatching(
				/^You changed the TLS verification setting: type the password again\./
			)
		});
		expect(
			await updateSmtpServer(server.id, basicForm({ caPem: TEST_CA, password: '' }), audit)
		).toMatchObject({
			ok: false,
			code: 'secret_retype',
			changed: ['caPem'],
			message: expect.stringMatching(/^You changed the CA certificate: type the password again\./)
		});
		expect((await getSmtpServer(server.id))?.verifyTls).toBe(true);
		expect((await updateSmtpServer(server.id, basicForm({ verifyTls: false }), audit)).ok).toBe(
			true
		);
	});

	it('asks for the client secret again when the tenant or the sender changes', async () => {
		const server = await create(microsoftForm());
		for (const change of [
			{ tenantId: 'evil.onmicrosoft.com' },
			{ fromAddress: 'ceo@contoso.com' },
			{ cloud: 'usgov' as const },
			{ port: 25 }
		])
			expect(
				await updateSmtpServer(server.id, microsoftForm({ ...change, clientSecret: '' }), audit)
			).toMatchObject({ ok: false, code: 'secret_retype' });
		expect(
			(
				await updateSmtpServer(
					server.id,
					microsoftForm({ clientSecretExpiresOn: '2028-01-01', clientSecret: '' }),
					audit
				)
			).ok
		).toBe(true);
	});

	it('clears the secrets of an authentication type no longer used', async () => {
		const server = await create(basicForm());
		const result = await updateSmtpServer(
			server.id,
			{ ...basicForm(), auth: 'none' } as SmtpServerForm,
			audit
		);
		expect(result.ok && result.server).toMatchObject({
			auth: 'none',
			hasPassword: false,
			username: null
		});
		expect((await rowOf(server.id)).passwordSealed).toBeNull();
	});

	it('gives the edit form blank secrets', async () => {
		const view = await create(microsoftForm());
		expect(buildServerFormValues(view)).toMatchObject({
			auth: 'microsoft',
			clientSecret: '',
			tenantId: microsoftForm().tenantId,
			cloud: 'global'
		});
	});

	it('audits create, update and delete without any secret', async () => {
		const server = await create(basicForm());
		await updateSmtpServer(
			server.id,
			basicForm({ port: 465, security: 'tls', password: 'another secret one' }),
			audit
		);
		await deleteSmtpServer(server.id, audit);
		const rows = await db().select().from(tables.auditLog);
		expect(rows.map((r) => r.action)).toEqual(['smtp.created', 'smtp.updated', 'smtp.deleted']);
		expect(rows[1].detail).toMatchObject({ changed: ['port', 'security'], replaced: ['password'] });
		const json = JSON.stringify(rows);
		expect(json).not.toContain(PASSWORD);
		expect(json).not.toContain('another secret one');
	});
});

describe('deleting and usages', () => {
	it('refuses to delete a server in use and says by what', async () => {
		const server = await create(basicForm());
		registerServerUsage('test-profiles', async (ids) =>
			ids.includes(server.id)
				? [{ serverId: server.id, kind: 'Notification profile', name: 'Ops' }]
				: []
		);
		await db()
			.insert(tables.siteSettings)
			.values({ id: 1, smtpEnabled: true, smtpServerId: server.id });
		const usages = await findServerUsages(server.id);
		expect(usages).toEqual(
			expect.arrayContaining([
				{ kind: 'Notification profile', name: 'Ops' },
				{ kind: 'Site settings', name: 'Site e-mails (SMTP on)' }
			])
		);
		const result = await deleteSmtpServer(server.id, audit);
		expect(result).toMatchObject({ ok: false, code: 'in_use' });
		expect(!result.ok && result.message).toContain('Notification profile: Ops');
		expect(await getSmtpServer(server.id)).not.toBeNull();
		expect((await listSmtpServers())[0].usages).toHaveLength(2);
	});

	it('lists servers with their usages in as many queries for twelve servers as for one', async () => {
		const first = await create(basicForm());
		await db()
			.insert(tables.siteSettings)
			.values({ id: 1, smtpEnabled: true, smtpServerId: first.id });
		const client = (database.pglite ?? database.pool) as unknown as Record<string, () => unknown>;
		const countQueries = async () => {
			const spies = ['query', 'exec']
				.filter((m) => m in client)
				.map((m) => vi.spyOn(client, m as never));
			const listed = await listSmtpServers();
			const n = spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
			for (const spy of spies) spy.mockRestore();
			return { n, listed };
		};
		const one = await countQueries();
		for (let i = 0; i < 11; i++) await create(basicForm({ name: `Relay ${i}` }));
		const twelve = await countQueries();
		expect(twelve.listed).toHaveLength(12);
		expect(twelve.n).toBe(one.n);
		expect(twelve.listed.find((s) => s.id === first.id)?.usages).toEqual([
			{ kind: 'Site settings', name: 'Site e-mails (SMTP on)' }
		]);
		expect(twelve.listed.filter((s) => s.usages.length > 0)).toHaveLength(1);
	});

	it('deletes a server nothing uses, once', async () => {
		const server = await create(basicForm());
		expect(await deleteSmtpServer(server.id, audit)).toEqual({ ok: true });
		expect(await getSmtpServer(server.id)).toBeNull();
		expect(await deleteSmtpServer(server.id, audit)).toMatchObject({
			ok: false,
			code: 'not_found'
		});
	});

	it('treats an id that is not a UUID as unknown', async () => {
		expect(await getSmtpServer('not-a-uuid')).toBeNull();
	});
});

describe('settings for a configuration test of a form', () => {
	it('reuses the stored password for the saved destination', async () => {
		const server = await create(basicForm());
		const result = await resolveServerSettings(basicForm({ password: '' }), server.id);
		expect(result.ok && result.settings.auth).toMatchObject({ password: PASSWORD });
	});

	it('never sends the stored password to an edited destination', async () => {
		const server = await create(basicForm());
		const result = await resolveServerSettings(
			basicForm({ host: 'smtp.attacker.example', password: '' }),
			server.id
		);
		expect(result).toMatchObject({ ok: false, code: 'secret_retype', field: 'password' });
	});

	it('never tests the stored password over a connection that no longer verifies TLS', async () => {
		const server = await create(basicForm());
		expect(
			await resolveServerSettings(basicForm({ verifyTls: false, password: '' }), server.id)
		).toMatchObject({
			ok: false,
			code: 'secret_retype',
			field: 'password',
			changed: ['verifyTls']
		});
		expect(
			await resolveServerSettings(basicForm({ caPem: TEST_CA, password: '' }), server.id)
		).toMatchObject({ ok: false, code: 'secret_retype', changed: ['caPem'] });
	});

	it('an unsaved form must carry its secret', async () => {
		expect(await resolveServerSettings(basicForm({ password: '' }))).toMatchObject({
			ok: false,
			code: 'secret_required'
		});
		const typed = await resolveServerSettings(basicForm({ password: 'typed' }));
		expect(typed.ok && typed.settings.auth).toMatchObject({ password: 'typed' });
	});
});

describe('last test', () => {
	async function sink() {
		const peer = await startSmtpPeer({ security: 'plain', auth: 'basic' });
		peers.push(peer);
		return peer;
	}
	const formFor = (peer: SmtpPeer, over: Partial<BasicForm> = {}) =>
		basicForm({
			host: '127.0.0.1',
			port: peer.port,
			security: 'none',
			username: PEER_USER.username,
			password: PEER_USER.password,
			...over
		});

	it('stores the test of the saved settings on the server, and audits it', async () => {
		const peer = await sink();
		const server = await create(formFor(peer));
		const resolved = await resolveServerSettings(formFor(peer, { password: '' }), server.id);
		if (!resolved.ok) throw new Error(resolved.message);
		const result = await runConfigurationTest(resolved.settings, { mode: 'verify' });
		expect(
			await recordConfigurationTest(result, { serverId: server.id, serverName: 'Relay', ...audit })
		).toEqual({
			stored: true
		});
		const view = await getSmtpServer(server.id);
		expect(view?.lastTest).toMatchObject({
			ok: true,
			summary: { verdict: 'Connection OK', mode: 'verify' }
		});
		const [entry] = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.action, 'smtp.tested'));
		expect(entry).toMatchObject({ outcome: 'ok', actor: 'alice' });
		expect(JSON.stringify(entry)).not.toContain(PEER_USER.password);
	});

	it('edit, test, save: the test becomes the saved server’s last test; an untested change clears it', async () => {
		const first = await sink();
		const second = await sink();
		const server = await create(formFor(first));
		const edited = formFor(second, { password: PEER_USER.password });
		const resolved = await resolveServerSettings(edited, server.id);
		if (!resolved.ok) throw new Error(resolved.message);
		const result = await runConfigurationTest(resolved.settings, {
			mode: 'send',
			to: 'ops@example.com'
		});
		expect(result.ok).toBe(true);
		const recorded = await recordConfigurationTest(result, { serverId: server.id, ...audit });
		expect(recorded.stored).toBe(false);
		expect((await getSmtpServer(server.id))?.lastTest).toBeNull();

		const saved = await updateSmtpServer(server.id, edited, audit);
		expect(saved.ok && saved.server.lastTest).toMatchObject({
			ok: true,
			summary: { verdict: 'Test e-mail sent successfully' }
		});

		const renamed = await updateSmtpServer(
			server.id,
			{ ...edited, name: 'Renamed', password: '' },
			audit
		);
		expect(renamed.ok && renamed.server.lastTest?.ok).toBe(true);

		const moved = await updateSmtpServer(server.id, formFor(first, { name: 'Renamed' }), audit);
		expect(moved.ok && moved.server.lastTest).toBeNull();
	});
});
