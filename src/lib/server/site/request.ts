/** What every /admin/site action reads from its request. */
import type { RequestEvent } from '@sveltejs/kit';
import { clientMeta } from '../request.js';
import type { Actor } from './changes.js';

/** The signed-in admin acting on the site settings. */
export function siteActor(event: RequestEvent): Actor {
	const admin = event.locals.admin!;
	return {
		adminId: admin.id,
		username: admin.username,
		ip: clientMeta(event).ip,
		sessionToken: event.locals.sessionToken
	};
}

/** While switching SMTP on (?enable=1), saving a section stays in that flow. */
export function keepEnabling(url: URL) {
	return url.searchParams.has('enable') ? '&enable=1' : '';
}
