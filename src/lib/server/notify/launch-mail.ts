/**
 * What a launch sends. In the launch's own transaction, every enabled profile that lists the application (or
 * all applications) gets its mail queued: one message per recipient at once, or, for a profile with a grouping
 * window, the launch joins the window and one digest per recipient goes out when it closes (digest.ts). Either
 * way the launch and its mail commit together, and the launch never waits for a mail server.
 */
import { and, eq, or, sql } from 'drizzle-orm';
import Bowser from 'bowser';
import { fromDrizzle, type DrizzleTransactionLike } from 'pg-boss';
import { tables, type Db } from '../db/index.js';
import type { LaunchRow, NotificationProfileRow } from '../db/schema/index.js';
import { enqueueManyInTransaction } from '../outbox/enqueue.js';
import { mailQueue } from '../outbox/queue.js';
import { launchNotificationMail } from '../mail/templates/launch-notification.js';
import type { LaunchFacts } from '../../notification-template.js';
import { log } from '../log.js';
import { formatTime } from '../mail/templates/time.js';
import { siteTimeZone } from '../site/settings.js';

export const DIGEST_QUEUE = 'notification-digest';

type Launch = Pick<
	LaunchRow,
	'id' | 'at' | 'username' | 'domainName' | 'applicationId' | 'applicationName' | 'ip' | 'userAgent'
>;

/** Queues the launch's notifications inside `tx`; returns how many messages (digests excluded) it queued. */
export async function queueLaunchNotifications(tx: Db, launch: Launch): Promise<number> {
	if (!launch.applicationId) return 0;
	const profiles = tables.notificationProfiles;
	const links = tables.notificationProfileApplications;
	const matching = await tx
		.select()
		.from(profiles)
		.where(
			and(
				eq(profiles.enabled, true),
				or(
					eq(profiles.allApplications, true),
					sql`exists (select 1 from ${links} where ${links.profileId} = ${profiles.id} and ${links.applicationId} = ${launch.applicationId})`
				)
			)
		);
	if (matching.length === 0) return 0;
	const facts = launchFacts(launch, await siteTimeZone(tx));
	let queued = 0;
	for (const profile of matching) {
		if (!profile.smtpServerId) {
			log.warn(
				{ event: 'notification_without_server', profileId: profile.id },
				'a notification profile has no SMTP server'
			);
			continue;
		}
		if (profile.groupingMinutes > 0) await joinWindow(tx, profile, launch.id);
		else queued += await queueForRecipients(tx, profile, launch.id, facts);
	}
	return queued;
}

async function queueForRecipients(
	tx: Db,
	profile: NotificationProfileRow,
	launchId: string,
	facts: LaunchFacts
) {
	const mail = launchNotificationMail(
		{
			profileName: profile.name,
			subjectTemplate: profile.subjectTemplate,
			bodyTemplate: profile.bodyTemplate
		},
		facts
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
			dedupeKey: `launch:${launchId}:${profile.id}:${recipient}`,
			origin: { profileId: profile.id, launchId }
		}))
	);
	return profile.recipients.length;
}

/**
 * Adds the launch to the profile's open window, opening one (and scheduling its digest) if there is none. The
 * upsert takes the window row's lock, so a digest closing the window at the same moment either sees this
 * launch or leaves it to the new window this opens.
 */
async function joinWindow(tx: Db, profile: NotificationProfileRow, launchId: string) {
	await tx
		.insert(tables.notificationPendingLaunches)
		.values({ profileId: profile.id, launchId })
		.onConflictDoNothing();
	const windows = tables.notificationWindows;
	const dueAt = new Date(Date.now() + profile.groupingMinutes * 60_000);
	const [window] = await tx
		.insert(windows)
		.values({ profileId: profile.id, dueAt })
		.onConflictDoUpdate({ target: windows.profileId, set: { dueAt: sql`${windows.dueAt}` } })
		.returning({ opened: sql<boolean>`(xmax = 0)`, dueAt: windows.dueAt });
	if (window.opened)
		await mailQueue().send(
			DIGEST_QUEUE,
			{ profileId: profile.id },
			{
				startAfter: window.dueAt,
				db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql)
			}
		);
}

/** The facts a template names, as a recipient reads them. */
export function launchFacts(launch: Launch, timeZone: string): LaunchFacts {
	return {
		user: launch.username,
		domain: launch.domainName,
		application: launch.applicationName,
		time: formatTime(launch.at, timeZone),
		ip: launch.ip || 'unknown',
		browser: describeBrowser(launch.userAgent)
	};
}

/** "Firefox 146 on Windows 10", from the user agent; the raw string's start when it is not recognisable. */
export function describeBrowser(userAgent: string | null): string {
	if (!userAgent) return 'unknown';
	const parsed = Bowser.parse(userAgent);
	const name = parsed.browser.name;
	if (!name) return userAgent.slice(0, 120);
	const major = parsed.browser.version?.split('.')[0];
	const os = [parsed.os.name, parsed.os.versionName ?? parsed.os.version].filter(Boolean).join(' ');
	return `${name}${major ? ` ${major}` : ''}${os ? ` on ${os}` : ''}`;
}
