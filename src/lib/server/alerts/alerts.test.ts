/**
 * Alerts against real peers: two loopback smtp-server sinks (the site's server and another), the outbox and
 * its worker on PGlite (or PostgreSQL), health checks by the real configuration test. Time is injected into
 * the sweep and the episodes (`now`), so repeat intervals and secret expiry run without waiting.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { startSmtpPeer, type SmtpPeer } from '../testing/smtp-peers.js';
import { createSinkServer } from '../testing/sink-server.js';
import { ADMIN, setUpAccounts } from '../testing/accounts.js';
import { closeAllTransports } from '../mail/transport.js';
import { startOutbox, stopOutbox } from '../outbox/lifecycle.js';
import { enqueue } from '../outbox/enqueue.js';
import { mailQueue } from '../outbox/queue.js';
import { recordAudit } from '../audit.js';
import { reserveAttempt, throttleKeys } from '../auth/throttle.js';
import { switchSiteSmtpOff } from '../site/changes.js';
import { ALERT_SWEEP_QUEUE, startAlerts, stopAlerts } from './lifecycle.js';
import {
	runAlertSweep,
	checkBacklog,
	checkBasicAuthOnMicrosoft,
	checkSecretExpiry
} from './sweep.js';
import { fireAlert, sendTestAlert } from './episodes.js';
import { saveAlertRule, saveAlertTimings, DEFAULT_TIMINGS } from './rules.js';
import { alertRoute } from './route.js';
import { listAlertHistory } from './history.js';
// OTP generators register what they use when their module loads, as start-up loads it
import '../identity/otp-generators.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let database: Database;
let site: SmtpPeer;
let other: SmtpPeer;
let siteServerId: string;
let otherServerId: string;

async function useSiteServer(serverId: string, enabled = true) {
	const values = {
		smtpEnabled: enabled,
		smtpServerId: serverId,
		alertEmail: 'admiral@example.com',
		defaultRecipients: ['ops@example.com', 'Noc@Example.com']
	};
	await db()
		.insert(tables.siteSettings)
		.values({ id: 1, ...values })
		.onConflictDoUpdate({ target: tables.siteSettings.id, set: values });
}

/** The messages a sink got with a subject starting so, once `count` of them arrived. */
async function arrived(peer: SmtpPeer, prefix: string, count: number) {
	const matching = () => peer.messages.filter((m) => m.subject.startsWith(prefix));
	await expect.poll(() => matching().length, { timeout: 10_000 }).toBe(count);
	return matching();
}

/** Lets the worker deliver what is queued, so a count of "nothing more" is not read too early. */
async function settled() {
	await expect
		.poll(
			async () =>
				(
					await db()
						.select({ id: tables.mailOutbox.id })
						.from(tables.mailOutbox)
						.where(eq(tables.mailOutbox.status, 'queued'))
				).length,
			{ timeout: 10_000 }
		)
		.toBe(0);
}

async function openEpisodes(type: string) {
	return db()
		.select()
		.from(tables.alertEpisodes)
		.where(and(eq(tables.alertEpisodes.type, type), isNull(tables.alertEpisodes.resolvedAt)));
}

beforeEach(async () => {
	database = await freshTestDatabase();
	await startOutbox(database);
	await startAlerts();
	site = await startSmtpPeer();
	other = await startSmtpPeer();
	siteServerId = await createSinkServer(site.port, 'Site relay');
	otherServerId = await createSinkServer(other.port, 'Backup relay');
	await useSiteServer(siteServerId);
});

afterEach(async () => {
	await stopAlerts();
	await stopOutbox();
	await closeAllTransports();
	await site.close().catch(() => undefined);
	await other.close().catch(() => undefined);
	await database.close();
});

describe('alerts', () => {
	it('checks servers on a pg-boss schedule, once a minute', async () => {
		const schedules = await mailQueue().getSchedules(ALERT_SWEEP_QUEUE);
		expect(schedules.map((s) => s.cron)).toEqual(['* * * * *']);
	});

	it('alerts when the site server fails its health check, through a healthy server, once per 6 hours, and when it clears', async () => {
		const t0 = new Date();
		expect((await runAlertSweep(t0)).checked).toBe(2);
		expect(await openEpisodes('smtp-failing')).toHaveLength(0);

		await site.close();
		await runAlertSweep(new Date(t0.getTime() + 5 * MINUTE));
		const fired = await arrived(other, '[Postern Alert] SMTP server failing: Site relay', 3);
		// the Default Recipients (lower-cased) and, for a health alert, the Admiral Alert Email
		expect(fired.map((m) => m.envelopeTo[0]).sort()).toEqual([
			'admiral@example.com',
			'noc@example.com',
			'ops@example.com'
		]);
		const [mail] = fired;
		expect(mail.text).toContain('Health check: Connection failed: Nothing accepts connections');
		expect(mail.text).toContain('What to do: Check the port');
		expect(mail.text).toContain('Used by: Site settings');
		expect(mail.text).toContain("Sent through: Backup relay (the site's server is unavailable)");
		expect(mail.html).toContain('<table');

		// still failing 10 minutes later: nothing more
		await runAlertSweep(new Date(t0.getTime() + 10 * MINUTE));
		await settled();
		expect(other.messages).toHaveLength(3);
		// after the repeat interval: once more
		await runAlertSweep(new Date(t0.getTime() + 6 * HOUR + 10 * MINUTE));
		await arrived(other, '[Postern Alert] SMTP server failing', 6);

		// the server comes back (on a new port): resolved, and the resolved mail goes through it again
		site = await startSmtpPeer();
		await db()
			.update(tables.smtpServers)
			.set({ port: site.port })
			.where(eq(tables.smtpServers.id, siteServerId));
		await runAlertSweep(new Date(t0.getTime() + 6 * HOUR + 20 * MINUTE));
		const resolved = await arrived(site, '[Postern Resolved] SMTP server failing: Site relay', 3);
		expect(resolved[0].text).toContain('Resolved:');
		expect(await openEpisodes('smtp-failing')).toHaveLength(0);
		const history = await listAlertHistory({});
		expect(history.rows[0]).toMatchObject({ type: 'smtp-failing', about: 'Site relay' });
		expect(history.rows[0].resolvedAt).not.toBeNull();
		expect(history.rows[0].messages).toHaveLength(9);
	});

	it('names the fallback in use: an OTP generator on the failing server whose codes move to another one', async () => {
		await db().insert(tables.otpGenerators).values({
			type: 'email',
			name: 'Codes',
			smtpServerId: siteServerId,
			fallbackSmtpServerId: otherServerId,
			sender: 'codes@example.com'
		});
		await site.close();
		await runAlertSweep(new Date());
		const [mail] = await arrived(other, '[Postern Alert] SMTP server failing', 3);
		expect(mail.text).toContain('Fallback in use: OTP generator (e-mail) “Codes” → Backup relay');
	});

	it('sends one mail when two sweeps see the same failure at once (two instances)', async () => {
		await site.close();
		const now = new Date();
		await Promise.all([runAlertSweep(now), runAlertSweep(now)]);
		await arrived(other, '[Postern Alert] SMTP server failing', 3);
		await settled();
		expect(other.messages).toHaveLength(3);
		expect(await openEpisodes('smtp-failing')).toHaveLength(1);
	});

	it('keeps the state across a restart: no repeat, nothing lost', async () => {
		await site.close();
		const now = new Date();
		await runAlertSweep(now);
		await arrived(other, '[Postern Alert] SMTP server failing', 3);
		await stopAlerts();
		await stopOutbox();
		await startOutbox(database);
		await startAlerts();
		await runAlertSweep(new Date(now.getTime() + 5 * MINUTE));
		await settled();
		expect(other.messages).toHaveLength(3);
	});

	it('cannot deliver without a healthy server, says why, and sends once one is healthy', async () => {
		await site.close();
		await other.close();
		const now = new Date();
		await runAlertSweep(now);
		const route = await alertRoute();
		expect(route.ok).toBe(false);
		if (!route.ok) expect(route.reason).toContain('failing its health check');
		const [episode] = await openEpisodes('smtp-failing');
		expect(episode.notifiedAt).toBeNull();

		other = await startSmtpPeer();
		await db()
			.update(tables.smtpServers)
			.set({ port: other.port })
			.where(eq(tables.smtpServers.id, otherServerId));
		await runAlertSweep(new Date(now.getTime() + 5 * MINUTE));
		await arrived(other, '[Postern Alert] SMTP server failing: Site relay', 3);
	});

	it('goes to a custom list when chosen, and not at all when the type is disabled', async () => {
		await saveAlertRule({
			type: 'totp-reset',
			enabled: true,
			recipientsMode: 'custom',
			customRecipients: ['helpdesk@example.com']
		});
		const [domain] = await db()
			.insert(tables.domains)
			.values({ kind: 'local', name: 'corp.example', emailAttribute: 'email' })
			.returning();
		await recordAudit({
			actor: 'alice',
			action: 'totp.reset',
			ip: '10.0.0.7',
			detail: { domainId: domain.id, username: 'jdoe', hadEnrollment: true }
		});
		const [mail] = await arrived(site, '[Postern Alert] TOTP reset by an admin', 1);
		expect(mail.envelopeTo).toEqual(['helpdesk@example.com']);
		expect(mail.text).toContain('User: jdoe (corp.example)');
		expect(mail.text).toContain('Reset by: alice');

		await saveAlertRule({
			type: 'totp-reset',
			enabled: false,
			recipientsMode: 'default',
			customRecipients: []
		});
		await recordAudit({
			actor: 'alice',
			action: 'totp.reset',
			detail: { domainId: domain.id, username: 'other', hadEnrollment: true }
		});
		await saveAlertRule({
			type: 'totp-reset',
			enabled: true,
			recipientsMode: 'default',
			customRecipients: []
		});
		// a reset without an enrolment is no alert either
		await recordAudit({
			actor: 'alice',
			action: 'totp.reset',
			detail: { domainId: domain.id, username: 'x', hadEnrollment: false }
		});
		await settled();
		expect(site.messages).toHaveLength(1);
	});

	it('alerts on a console account locked after ten failed sign-ins, once', async () => {
		await setUpAccounts();
		// the throttle's own clock: each guess after the previous one's wait, so every one is counted
		const keys = throttleKeys('sign_in', ADMIN.username, '192.0.2.9');
		let at = Date.now();
		for (let i = 0; i < 12; i++) {
			const reservation = await reserveAttempt(keys, new Date(at));
			at = reservation.ok && reservation.next ? reservation.next.getTime() + 1000 : at + 1000;
		}
		const [mail] = await arrived(site, '[Postern Alert] Account locked out', 2);
		expect(mail.text).toContain(`Console account “${ADMIN.username}”`);
		expect(mail.text).toContain('Last attempt from: 192.0.2.9');
		await settled();
		expect(site.messages).toHaveLength(2);
	});

	it('alerts when recovery codes run low, and resolves when new ones are made', async () => {
		await setUpAccounts();
		await recordAudit({ actor: ADMIN.username, action: 'recovery.used', detail: { remaining: 3 } });
		await settled();
		expect(site.messages).toHaveLength(0);
		await recordAudit({ actor: ADMIN.username, action: 'recovery.used', detail: { remaining: 2 } });
		const [mail] = await arrived(site, '[Postern Alert] Recovery codes running low', 2);
		expect(mail.text).toContain('Unused recovery codes: 2');
		await recordAudit({ actor: ADMIN.username, action: 'recovery.regenerated' });
		await arrived(site, '[Postern Resolved] Recovery codes running low', 2);
	});

	it('alerts when the SMTP configuration is switched off, through another server, until it is on again', async () => {
		await runAlertSweep(new Date());
		await switchSiteSmtpOff({ username: 'alice', ip: '127.0.0.1' } as never);
		const [mail] = await arrived(other, '[Postern Alert] SMTP configuration switched off', 2);
		expect(mail.text).toContain('Switched off by: alice');
		await useSiteServer(siteServerId, true);
		await runAlertSweep(new Date(Date.now() + MINUTE));
		await arrived(site, '[Postern Resolved] SMTP configuration switched off', 2);
	});

	it('alerts when a message is given up, naming the reply', async () => {
		site.refusedRecipients.add('gone@example.com');
		await enqueue({
			kind: 'reset-link',
			serverId: siteServerId,
			to: ['gone@example.com'],
			subject: 'Reset',
			text: 'x',
			carriesSecret: true
		});
		const [mail] = await arrived(site, '[Postern Alert] Message given up: Site relay', 3);
		expect(mail.text).toContain('550');
		expect(mail.text).toContain('reset-link to gone@example.com');
	});

	it('warns 30, 14 and 7 days before a client secret expires and when it has, each once', async () => {
		await db()
			.update(tables.smtpServers)
			.set({ auth: 'microsoft', clientSecretExpiresOn: '2026-12-25' })
			.where(eq(tables.smtpServers.id, otherServerId));
		await checkSecretExpiry(new Date('2026-12-01T12:00:00Z')); // 24 days left: the 30-day step
		await checkSecretExpiry(new Date('2026-12-02T12:00:00Z')); // same step: nothing
		await checkSecretExpiry(new Date('2026-12-12T12:00:00Z')); // 13 days: worse
		await checkSecretExpiry(new Date('2026-12-19T12:00:00Z')); // 6 days: worse
		await checkSecretExpiry(new Date('2026-12-26T12:00:00Z')); // expired
		const mails = await arrived(site, '[Postern Alert] Microsoft client secret expiring', 12);
		const texts = mails.filter((m) => m.envelopeTo[0] === 'ops@example.com').map((m) => m.text);
		// queued in this order, delivered in any
		for (const step of [
			'(24 days left)',
			'(13 days left)',
			'(6 days left)',
			'expired on 25 December 2026'
		])
			expect(texts.filter((text) => text.includes(step))).toHaveLength(1);
		// a new secret: resolved
		await db()
			.update(tables.smtpServers)
			.set({ clientSecretExpiresOn: '2027-12-25' })
			.where(eq(tables.smtpServers.id, otherServerId));
		await checkSecretExpiry(new Date('2026-12-27T12:00:00Z'));
		await arrived(site, '[Postern Resolved] Microsoft client secret expiring', 3);
	});

	it('flags Basic authentication against Microsoft’s SMTP host until the server moves to OAuth2', async () => {
		await db()
			.update(tables.smtpServers)
			.set({ auth: 'basic', host: 'smtp.office365.com' })
			.where(eq(tables.smtpServers.id, otherServerId));
		await checkBasicAuthOnMicrosoft();
		const [mail] = await arrived(site, '[Postern Alert] Basic authentication on Microsoft 365', 3);
		expect(mail.text).toContain('5.7.30');
		await db()
			.update(tables.smtpServers)
			.set({ auth: 'microsoft' })
			.where(eq(tables.smtpServers.id, otherServerId));
		await checkBasicAuthOnMicrosoft();
		await arrived(site, '[Postern Resolved] Basic authentication on Microsoft 365', 3);
	});

	it('alerts on a backlog above the threshold for longer than the set time', async () => {
		await saveAlertTimings({ ...DEFAULT_TIMINGS, backlogThreshold: 1, backlogMinutes: 15 });
		// two messages held back by a paused server
		await db()
			.insert(tables.smtpDeliveryGates)
			.values({ serverId: otherServerId, pausedUntil: new Date(Date.now() + HOUR) });
		for (const to of ['a@example.com', 'b@example.com'])
			await enqueue({
				kind: 'notification',
				serverId: otherServerId,
				to: [to],
				subject: 'Waiting',
				text: 'x',
				carriesSecret: false
			});
		await checkBacklog(new Date(Date.now() + 5 * MINUTE));
		expect(await openEpisodes('outbox-backlog')).toHaveLength(0);
		await checkBacklog(new Date(Date.now() + 16 * MINUTE));
		const [mail] = await arrived(site, '[Postern Alert] Outbox backlog', 3);
		expect(mail.text).toContain('2 messages for more than 15 minutes');
	});

	it('sends a test alert of any type and records it in the history', async () => {
		const sent = await sendTestAlert('outbox-backlog', 'alice');
		expect(sent.ok).toBe(true);
		const mails = await arrived(site, '[Postern Test] Outbox backlog', 3);
		expect(mails[0].text).toContain('nothing is wrong');
		const history = await listAlertHistory({});
		expect(history.rows[0]).toMatchObject({ type: 'outbox-backlog', test: true });
		// a test is no open alert: the real condition still fires its own
		expect(await fireAlert({ type: 'outbox-backlog', key: 'outbox', about: 'x', facts: {} })).toBe(
			'notified'
		);
	});
});
