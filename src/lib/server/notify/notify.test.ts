/**
 * Notification profiles against real peers: a launch through recordLaunch (the portal's own code path) puts
 * mail into a loopback smtp-server sink through the launch relay and the outbox, on PGlite, with the digest
 * queue running. A test that checks what a launch did NOT send first waits for the relay.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { startSmtpPeer, type SmtpPeer } from '../testing/smtp-peers.js';
import { createSinkServer } from '../testing/sink-server.js';
import { closeAllTransports } from '../mail/transport.js';
import { deleteSmtpServer } from '../mail/servers.js';
import { findServerUsages } from '../mail/usages.js';
import { startOutbox, stopOutbox } from '../outbox/lifecycle.js';
import { recordLaunch } from '../login/portal.js';
import type { UserSession } from '../login/sessions.js';
import { createApplication, deleteApplication } from '../identity/applications.js';
import {
	createNotificationProfile,
	deleteNotificationProfile,
	getNotificationProfile,
	listNotificationProfiles,
	recentNotificationsOf,
	setNotificationProfileEnabled,
	updateNotificationProfile
} from './profiles.js';
import { closeWindow } from './digest.js';
import { launchRelayIdle, relayPendingLaunches } from './launch-relay.js';
import { startNotifications, stopNotifications } from './lifecycle.js';
import { describeBrowser } from './launch-mail.js';
import { formatTime } from '../mail/templates/time.js';
import { sendTestNotification } from './test-notification.js';
import {
	notificationProfileDefaults,
	notificationProfileSchema,
	type NotificationProfileForm
} from '../../schemas/notification-profiles.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:146.0) Gecko/20100101 Firefox/146.0';
const AUDIT = { actor: 'alice', ip: '127.0.0.1' };

let database: Database;

/**
 * Waits for the relay a launch nudged, then relays what is left. Without the wait, on PostgreSQL, SKIP LOCKED
 * passes over a launch the nudge is relaying and returns before that transaction commits.
 */
async function relayed(): Promise<void> {
	await launchRelayIdle();
	await relayPendingLaunches();
}
let peer: SmtpPeer;
let serverId: string;
let user: UserSession;
let apps: Record<'plc' | 'wiki', string>;

beforeEach(async () => {
	database = await freshTestDatabase();
	await startOutbox(database);
	await startNotifications();
	peer = await startSmtpPeer();
	serverId = await createSinkServer(peer.port, 'Relay');
	await db()
		.insert(tables.siteSettings)
		.values({ id: 1, timeZone: 'Europe/Paris' })
		.onConflictDoUpdate({ target: tables.siteSettings.id, set: { timeZone: 'Europe/Paris' } });
	const [domain] = await db()
		.insert(tables.domains)
		.values({ kind: 'local', name: 'corp.example', emailAttribute: 'email' })
		.returning();
	user = {
		id: 'session',
		domainId: domain.id,
		domainName: domain.name,
		userId: null,
		personKey: 'jdoe',
		username: 'jdoe',
		displayName: 'J. Doe',
		email: null,
		signedInAt: new Date(),
		expiresAt: new Date(Date.now() + 3600_000)
	};
	const app = async (name: string) => {
		const created = await createApplication(
			{ name, url: `https://${name.toLowerCase()}.example/`, description: '' },
			AUDIT
		);
		if (!created.ok) throw new Error(created.message);
		return created.application.id;
	};
	apps = { plc: await app('PLC'), wiki: await app('Wiki') };
});

afterEach(async () => {
	await stopNotifications();
	await stopOutbox();
	await closeAllTransports();
	await peer.close();
	await database.close();
});

function profile(overrides: Partial<NotificationProfileForm> = {}): NotificationProfileForm {
	return {
		...notificationProfileDefaults,
		name: 'Ops',
		smtpServerId: serverId,
		recipients: ['ops@example.com', 'SecOps@Example.com'],
		applicationIds: [apps.plc],
		...overrides
	};
}

async function create(overrides: Partial<NotificationProfileForm> = {}) {
	const parsed = notificationProfileSchema.parse(profile(overrides));
	const created = await createNotificationProfile(parsed, AUDIT);
	if (!created.ok) throw new Error(created.message);
	return created.profile;
}

const launch = (appId: string, at = new Date('2026-12-03T13:05:09Z')) =>
	recordLaunch(user, appId, '203.0.113.7', FIREFOX, at);

describe('a launch', () => {
	it('mails every recipient of a profile that lists the application, with every fact, text and HTML', async () => {
		const saved = await create();
		expect(saved.recipients).toEqual(['ops@example.com', 'secops@example.com']);
		expect(await launch(apps.plc)).toMatchObject({ ok: true });
		await expect.poll(() => peer.messages.length, { timeout: 10_000 }).toBe(2);
		expect(peer.messages.map((m) => m.envelopeTo[0]).sort()).toEqual([
			'ops@example.com',
			'secops@example.com'
		]);
		for (const m of peer.messages) {
			// the Issuer: the server's sender address
			expect(m.envelopeFrom).toBe('noreply@example.com');
			expect(m.subject).toBe('jdoe launched PLC');
			for (const fact of [
				'jdoe',
				'corp.example',
				'PLC',
				'3 December 2026 at 14:05:09 (Europe/Paris)',
				'203.0.113.7',
				'Firefox 146 on Windows 10'
			]) {
				expect(m.text).toContain(fact);
				expect(m.html).toContain(fact);
			}
			expect(m.text).toContain('notification profile “Ops”');
		}
		const rows = await db().select().from(tables.mailOutbox);
		expect(rows.every((r) => r.kind === 'notification' && r.origin?.profileId === saved.id)).toBe(
			true
		);
		await expect
			.poll(async () => (await recentNotificationsOf(saved.id)).map((r) => r.status), {
				timeout: 10_000
			})
			.toEqual(['sent', 'sent']);
		await expect
			.poll(async () => (await getNotificationProfile(saved.id))?.lastSentAt, { timeout: 5_000 })
			.toBeInstanceOf(Date);
	});

	it('goes through the profile’s fallback server when its server is down, and the fallback is one of that server’s uses', async () => {
		const down = await createSinkServer(1, 'Down relay');
		const saved = await create({
			name: 'Ops via fallback',
			smtpServerId: down,
			fallbackSmtpServerId: serverId,
			recipients: ['ops@example.com']
		});
		expect(saved.fallbackSmtpServerId).toBe(serverId);
		await launch(apps.plc);
		await expect.poll(() => peer.messages.length, { timeout: 15_000 }).toBe(1);
		await expect
			.poll(async () => (await db().select().from(tables.mailOutbox))[0].status, {
				timeout: 5_000
			})
			.toBe('sent');
		const [row] = await db().select().from(tables.mailOutbox);
		expect(row).toMatchObject({ failedOverFrom: 'Down relay', serverId });
		expect(await findServerUsages(serverId)).toContainEqual({
			kind: 'Notification profile, as fallback',
			name: 'Ops via fallback'
		});
		// the same server twice is refused on the fallback field
		expect(
			notificationProfileSchema.safeParse(profile({ fallbackSmtpServerId: serverId })).error
				?.issues[0]
		).toMatchObject({ path: ['fallbackSmtpServerId'] });
	});

	it('two profiles on one application both send; a profile of another application does not', async () => {
		await create({ name: 'Ops', recipients: ['ops@example.com'] });
		await create({ name: 'Audit', recipients: ['audit@example.com'] });
		await create({
			name: 'Wiki only',
			recipients: ['wiki@example.com'],
			applicationIds: [apps.wiki]
		});
		await create({
			name: 'Everything',
			recipients: ['all@example.com'],
			applicationIds: [],
			allApplications: true
		});
		await launch(apps.plc);
		await expect.poll(() => peer.messages.length, { timeout: 10_000 }).toBe(3);
		expect(peer.messages.map((m) => m.envelopeTo[0]).sort()).toEqual([
			'all@example.com',
			'audit@example.com',
			'ops@example.com'
		]);
	});

	it('a disabled profile sends nothing; enabled again, it sends', async () => {
		const saved = await create({ recipients: ['ops@example.com'] });
		await setNotificationProfileEnabled(saved.id, false, AUDIT);
		await launch(apps.plc);
		await relayed();
		expect(await db().select().from(tables.mailOutbox)).toHaveLength(0);
		await setNotificationProfileEnabled(saved.id, true, AUDIT);
		await launch(apps.plc);
		await expect.poll(() => peer.messages.length, { timeout: 10_000 }).toBe(1);
	});

	it('with a grouping window, launches go out as one digest per recipient when the window closes', async () => {
		const saved = await create({ groupingMinutes: 5 });
		await launch(apps.plc, new Date('2026-12-03T13:05:00Z'));
		await launch(apps.plc, new Date('2026-12-03T13:06:00Z'));
		await launch(apps.plc, new Date('2026-12-03T13:07:00Z'));
		await relayed();
		// nothing yet: the window is open, and its digest job waits for the window's end
		expect(await db().select().from(tables.mailOutbox)).toHaveLength(0);
		const result = await db().execute(
			sql`select start_after from pgboss.job where name = 'notification-digest'`
		);
		const jobs = (result as unknown as { rows: { start_after: string | Date }[] }).rows;
		expect(jobs).toHaveLength(1);
		expect(new Date(jobs[0].start_after).getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
		// the window's end comes now: the queue's worker closes it
		await db().execute(
			sql`update pgboss.job set start_after = now() where name = 'notification-digest'`
		);
		await expect.poll(() => peer.messages.length, { timeout: 15_000 }).toBe(2);
		const digest = peer.messages[0];
		expect(digest.subject).toBe('3 launches: jdoe launched PLC and more');
		for (const time of ['14:05:00', '14:06:00', '14:07:00']) expect(digest.text).toContain(time);
		expect(digest.text).toContain('3 launches within 5 minutes');
		// closed once: a retried job finds no window
		expect(await closeWindow(saved.id)).toBe(0);
		// the next launch opens a new window
		await launch(apps.plc);
		await relayed();
		expect(await db().select().from(tables.notificationWindows)).toHaveLength(1);
	});

	it('never fails or waits on mail: a launch with a profile whose server is down still succeeds at once', async () => {
		await create({ recipients: ['ops@example.com'] });
		await peer.close();
		const started = performance.now();
		expect(await launch(apps.plc)).toMatchObject({ ok: true });
		expect(performance.now() - started).toBeLessThan(2_000);
		await relayed();
		const [row] = await db().select().from(tables.mailOutbox);
		expect(row.kind).toBe('notification');
	});

	it('a launch left pending by a stopped instance is relayed when the next one starts, once', async () => {
		await create({ recipients: ['ops@example.com'] });
		await stopNotifications();
		const [app] = await db()
			.select()
			.from(tables.applications)
			.where(eq(tables.applications.id, apps.plc));
		await db().insert(tables.launches).values({
			domainId: user.domainId,
			domainName: user.domainName,
			username: 'jdoe',
			applicationId: app.id,
			applicationName: app.name,
			url: app.url,
			notifyPending: true
		});
		await startNotifications();
		await expect.poll(() => peer.messages.length, { timeout: 10_000 }).toBe(1);
		await launchRelayIdle();
		expect(await relayPendingLaunches()).toBe(0);
		const pending = await db()
			.select()
			.from(tables.launches)
			.where(eq(tables.launches.notifyPending, true));
		expect(pending).toHaveLength(0);
	});

	it('relays each launch exactly once when relays run side by side (SKIP LOCKED; on PostgreSQL, as instances do)', async () => {
		await create({ recipients: ['ops@example.com'] });
		await stopNotifications();
		const [app] = await db()
			.select()
			.from(tables.applications)
			.where(eq(tables.applications.id, apps.plc));
		const LAUNCHES = 120;
		await db()
			.insert(tables.launches)
			.values(
				Array.from({ length: LAUNCHES }, () => ({
					domainId: user.domainId,
					domainName: user.domainName,
					username: 'jdoe',
					applicationId: app.id,
					applicationName: app.name,
					url: app.url,
					notifyPending: true
				}))
			);
		// four relays at once, each on its own pooled connection on PostgreSQL
		const queued = await Promise.all(Array.from({ length: 4 }, () => relayPendingLaunches()));
		expect(queued.reduce((a, b) => a + b, 0)).toBe(LAUNCHES);
		const result = await db().execute(
			sql`select count(*)::int as rows, count(distinct origin ->> 'launchId')::int as launches
				from mail_outbox where kind = 'notification'`
		);
		const [counts] = (result as unknown as { rows: { rows: number; launches: number }[] }).rows;
		expect(counts).toEqual({ rows: LAUNCHES, launches: LAUNCHES });
	});
});

describe('profiles', () => {
	it('show a deleted application by name, and a server used by a profile cannot be deleted', async () => {
		const saved = await create({ applicationIds: [apps.plc, apps.wiki] });
		await deleteApplication(apps.wiki, AUDIT);
		const [listed] = await listNotificationProfiles();
		expect(listed.applications).toEqual([
			{ id: apps.plc, name: 'PLC', exists: true },
			{ id: apps.wiki, name: 'Wiki', exists: false }
		]);
		const refused = await deleteSmtpServer(serverId, AUDIT);
		expect(refused).toMatchObject({ ok: false });
		expect(JSON.stringify(refused)).toContain('Ops');
		await deleteNotificationProfile(saved.id, AUDIT);
		expect(await deleteSmtpServer(serverId, AUDIT)).toMatchObject({ ok: true });
	});

	it('refuse an application deleted while the form was open, and a name taken twice', async () => {
		await create();
		const taken = await createNotificationProfile(
			notificationProfileSchema.parse(profile({ name: 'OPS' })),
			AUDIT
		);
		expect(taken).toMatchObject({ ok: false, field: 'name' });
		const form = notificationProfileSchema.parse(profile({ name: 'Other' }));
		await deleteApplication(apps.plc, AUDIT);
		expect(await createNotificationProfile(form, AUDIT)).toMatchObject({
			ok: false,
			field: 'applicationIds'
		});
	});

	it('update keeps the id, audits what changed, and a pending recipient typed in the box is added', async () => {
		const saved = await create();
		const updated = await updateNotificationProfile(
			saved.id,
			notificationProfileSchema.parse(
				profile({ newRecipient: 'New@Example.com', groupingMinutes: 1 })
			),
			AUDIT
		);
		expect(updated).toMatchObject({ ok: true, profile: { id: saved.id, groupingMinutes: 1 } });
		if (updated.ok) expect(updated.profile.recipients).toContain('new@example.com');
		const [entry] = await db()
			.select()
			.from(tables.auditLog)
			.where(eq(tables.auditLog.action, 'notification_profile.updated'));
		expect(entry.detail).toMatchObject({ changed: ['recipients', 'groupingMinutes'] });
	});

	it('a test notification goes through the outbox and reports the outcome', async () => {
		const saved = await create();
		const outcome = await sendTestNotification({
			profile: profile(),
			profileId: saved.id,
			to: 'me@example.com',
			audit: AUDIT
		});
		expect(outcome).toMatchObject({ ok: true });
		expect(peer.messages[0].subject).toBe('[Test] jdoe launched PLC');
		expect(peer.messages[0].envelopeTo).toEqual(['me@example.com']);
		expect(await recentNotificationsOf(saved.id)).toHaveLength(1);
		await peer.close();
		const failed = await sendTestNotification({
			profile: profile(),
			profileId: saved.id,
			to: 'me@example.com',
			audit: AUDIT
		});
		expect(failed.ok).toBe(false);
		expect(failed.verdict).not.toMatch(/Error:|at .*\.ts/);
	});
});

describe('templates and facts', () => {
	it('an unknown placeholder or an unclosed one is a field error', () => {
		const bad = notificationProfileSchema.safeParse(
			profile({ subjectTemplate: '{{usr}} launched', bodyTemplate: 'Hello {{user' })
		);
		expect(bad.success).toBe(false);
		const errors = bad.success ? {} : bad.error.flatten().fieldErrors;
		expect(errors.subjectTemplate?.[0]).toMatch(/Unknown placeholder \{\{usr\}\}/);
		expect(errors.bodyTemplate?.[0]).toMatch(/not closed/);
	});

	it('needs a recipient and applications (or all of them)', () => {
		const bad = notificationProfileSchema.safeParse(
			profile({ recipients: [], applicationIds: [] })
		);
		const errors = bad.success ? {} : bad.error.flatten().fieldErrors;
		expect(errors.recipients?.[0]).toBe('Add at least one recipient.');
		expect(errors.applicationIds?.[0]).toMatch(/Choose the applications/);
	});

	it('times are in the site time zone; browsers are named; an unknown zone falls back to UTC', () => {
		const at = new Date('2026-07-01T10:00:00Z');
		expect(formatTime(at, 'America/New_York')).toBe('1 July 2026 at 06:00:00 (America/New_York)');
		expect(formatTime(at, 'Mars/Olympus')).toBe('1 July 2026 at 10:00:00 (UTC)');
		expect(describeBrowser(FIREFOX)).toBe('Firefox 146 on Windows 10');
		expect(describeBrowser(null)).toBe('unknown');
		expect(describeBrowser('curl/8.0')).toBe('curl/8.0');
	});

	it('a launch of a deleted application or an invalid id queues nothing', async () => {
		await create({ allApplications: true, applicationIds: [] });
		expect(await recordLaunch(user, 'nope')).toMatchObject({ ok: false });
		await relayed();
		expect(
			await db()
				.select({ n: sql<number>`count(*)::int` })
				.from(tables.mailOutbox)
		).toEqual([{ n: 0 }]);
	});
});
