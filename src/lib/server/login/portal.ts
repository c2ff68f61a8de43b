/**
 * The portal: the applications a signed-in user may launch, and the record of each launch (user, domain,
 * application, time, IP, user agent). The launch row is also its notifications' outbox entry: written with
 * `notify_pending`, it is turned into mail by notify/launch-relay.ts, so a launch never waits for them.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { recordAudit } from '../audit.js';
import { isUuid } from '../ids.js';
import { isWebUrl } from '../../schemas/applications.js';
import type { UserSession } from './sessions.js';
import { nudgeLaunchRelay } from '../notify/launch-relay.js';

/** Every application, by name. (There is no per-user assignment: everyone sees them all.) */
export async function listPortalApplications(): Promise<PortalApplication[]> {
	return db()
		.select({
			id: tables.applications.id,
			name: tables.applications.name,
			url: tables.applications.url,
			description: tables.applications.description
		})
		.from(tables.applications)
		.orderBy(asc(sql`lower(${tables.applications.name})`));
}

/**
 * Records a launch and returns the URL to open; not_found when the application was deleted meanwhile. Only
 * http(s) addresses are handed out (the form accepts nothing else; checked again here because the portal
 * redirects to the address as an external URL).
 */
export async function recordLaunch(
	user: UserSession,
	applicationId: string,
	ip?: string,
	userAgent?: string,
	now = new Date()
): Promise<LaunchResult> {
	const [app] = isUuid(applicationId)
		? await db().select().from(tables.applications).where(eq(tables.applications.id, applicationId))
		: [];
	if (!app)
		return { ok: false, code: 'not_found', message: 'This application is no longer available.' };
	if (!isWebUrl(app.url))
		return {
			ok: false,
			code: 'not_found',
			message: 'This application has no valid address. Tell your administrator.'
		};
	const [launch] = await db()
		.insert(tables.launches)
		.values({
			at: now,
			domainId: user.domainId,
			domainName: user.domainName,
			username: user.username,
			applicationId: app.id,
			applicationName: app.name,
			url: app.url,
			ip,
			userAgent: userAgent?.slice(0, 300),
			notifyPending: true
		})
		.returning({ id: tables.launches.id });
	await recordAudit({
		actor: user.username,
		action: 'portal.launch',
		ip,
		detail: {
			domain: user.domainName,
			application: app.name,
			launchId: launch.id
		}
	});
	// after the launch's own writes, so they do not queue behind the relay's transaction
	nudgeLaunchRelay();
	return {
		ok: true,
		launchId: launch.id,
		application: { id: app.id, name: app.name, url: app.url, description: app.description }
	};
}

/** How long after "Launch" its hand-over page (/portal/launch/[id]) still opens the application. */
export const LAUNCH_HANDOVER_MS = 10 * 60_000;

/**
 * A launch of this user's, recorded moments ago: what the hand-over page opens. The launch form's 303 cannot
 * point at the application itself, because the page's CSP (`form-action 'self'`) covers every redirect after a
 * form post, and applications are on other origins (and often redirect on to their own sign-in). So the POST
 * records the launch and redirects here (same origin); this page then navigates on without a form.
 */
export async function findRecentLaunch(
	launchId: string,
	user: Pick<UserSession, 'domainId' | 'username'>,
	now = new Date()
): Promise<{ applicationName: string; url: string } | null> {
	if (!isUuid(launchId)) return null;
	const [launch] = await db()
		.select({ applicationName: tables.launches.applicationName, url: tables.launches.url })
		.from(tables.launches)
		.where(
			and(
				eq(tables.launches.id, launchId),
				eq(tables.launches.domainId, user.domainId),
				eq(tables.launches.username, user.username),
				gt(tables.launches.at, new Date(now.getTime() - LAUNCH_HANDOVER_MS))
			)
		);
	if (!launch || !isWebUrl(launch.url)) return null;
	return { applicationName: launch.applicationName, url: new URL(launch.url).href };
}

/** The latest launches (admin views, tests). */
export async function listLaunches(limit = 50) {
	return db()
		.select()
		.from(tables.launches)
		.orderBy(sql`${tables.launches.at} desc`)
		.limit(Math.min(Math.max(limit, 1), 500));
}

export interface PortalApplication {
	id: string;
	name: string;
	url: string;
	description: string;
}

export type LaunchResult =
	| { ok: true; launchId: string; application: PortalApplication }
	| { ok: false; code: 'not_found'; message: string };
