/**
 * Grouping windows, as Grafana's group wait works: the first launch of a profile with a window opens it and
 * schedules a digest job for its end (launch-mail.ts); launches until then join it; at the end, one mail per
 * recipient lists them all. The job runs on pg-boss like the mail queue, so a window survives a restart and
 * closes once even with several instances: closing takes the window row's lock, and the messages it queues
 * commit with the window's removal.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { db, tables, type Db } from '../db/index.js';
import { enqueueManyInTransaction } from '../outbox/enqueue.js';
import { mailQueue } from '../outbox/queue.js';
import { nudgeMailWorker } from '../outbox/worker.js';
import { launchDigestMail } from '../mail/templates/launch-notification.js';
import { DIGEST_QUEUE, launchFacts } from './launch-mail.js';
import { siteTimeZone } from '../site/settings.js';
import { log } from '../log.js';

let started = false;

/** Creates the digest queue and starts this instance's digest worker (after the mail queue started). */
export async function startNotificationDigests(): Promise<void> {
	if (started) return;
	const boss = mailQueue();
	const policy = { retryLimit: 10, retryBackoff: true, retryDelay: 5, expireInSeconds: 120 };
	await boss.createQueue(DIGEST_QUEUE, policy);
	await boss.work<{ profileId: string }>(
		DIGEST_QUEUE,
		{ pollingIntervalSeconds: 1 },
		async (jobs) => {
			for (const job of jobs) await closeWindow(job.data.profileId);
		}
	);
	started = true;
}

export async function stopNotificationDigests(): Promise<void> {
	if (!started) return;
	started = false;
	await mailQueue()
		.offWork(DIGEST_QUEUE)
		.catch(() => undefined);
}

/**
 * Sends the window's digest and closes it; a no-op when it is already closed (a retried job). Returns how many
 * messages it queued.
 */
export async function closeWindow(profileId: string): Promise<number> {
	const queued = await db().transaction(async (transaction) => {
		const tx = transaction as unknown as Db;
		const windows = tables.notificationWindows;
		const pendingTable = tables.notificationPendingLaunches;
		const [window] = await tx
			.select()
			.from(windows)
			.where(eq(windows.profileId, profileId))
			.for('update');
		if (!window) return 0;
		const pending = await tx
			.delete(pendingTable)
			.where(eq(pendingTable.profileId, profileId))
			.returning({ launchId: pendingTable.launchId });
		await tx.delete(windows).where(eq(windows.profileId, profileId));
		const [profile] = await tx
			.select()
			.from(tables.notificationProfiles)
			.where(eq(tables.notificationProfiles.id, profileId));
		// a profile disabled (or left without a server) while its window was open sends nothing
		if (!profile?.enabled || !profile.smtpServerId || pending.length === 0) return 0;
		const launches = await tx
			.select()
			.from(tables.launches)
			.where(
				inArray(
					tables.launches.id,
					pending.map((p) => p.launchId)
				)
			)
			.orderBy(asc(tables.launches.at));
		if (launches.length === 0) return 0;
		const timeZone = await siteTimeZone(tx);
		const mail = launchDigestMail(
			{
				profileName: profile.name,
				subjectTemplate: profile.subjectTemplate,
				bodyTemplate: profile.bodyTemplate,
				windowMinutes: profile.groupingMinutes
			},
			launches.map((l) => launchFacts(l, timeZone))
		);
		await enqueueManyInTransaction(
			tx,
			profile.recipients.map((recipient) => ({
				kind: 'notification' as const,
				serverId: profile.smtpServerId!,
				fallbackServerId: profile.fallbackSmtpServerId,
				to: [recipient],
				...mail,
				carriesSecret: false,
				dedupeKey: `digest:${profileId}:${launches[0].id}:${recipient}`,
				origin: { profileId, launchId: launches[0].id }
			}))
		);
		return profile.recipients.length;
	});
	if (queued) {
		nudgeMailWorker();
		log.info({ event: 'notification_digest', profileId, messages: queued }, 'digest queued');
	}
	return queued;
}

/** Windows whose end has passed (tests; the queue closes them by itself). */
export async function dueWindows(now = new Date()): Promise<string[]> {
	const rows = await db()
		.select({ profileId: tables.notificationWindows.profileId })
		.from(tables.notificationWindows)
		.where(sql`${tables.notificationWindows.dueAt} <= ${now}`);
	return rows.map((r) => r.profileId);
}
