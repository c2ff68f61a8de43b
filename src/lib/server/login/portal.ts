/**
 * The portal: the applications a signed-in user may launch, and the record of each launch (user, domain,
 * application, time, IP, user agent). Notifications on launch come in a later issue: they will hang on
 * recordLaunch's result.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { recordAudit } from '../audit.js';
import { isUuid } from '../identity/common.js';
import type { UserSession } from './sessions.js';

/** Every application, by name. (Per-user assignment is not part of issue 5: everyone sees them all.) */
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

/** Records a launch and returns the URL to open; not_found when the application was deleted meanwhile. */
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
			userAgent: userAgent?.slice(0, 300)
		})
		.returning({ id: tables.launches.id });
	await recordAudit({
		actor: user.username,
		action: 'portal.launch',
		ip,
		detail: { domain: user.domainName, application: app.name, launchId: launch.id }
	});
	return {
		ok: true,
		launchId: launch.id,
		application: { id: app.id, name: app.name, url: app.url, description: app.description }
	};
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
