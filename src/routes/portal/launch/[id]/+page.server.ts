import { redirect } from '@sveltejs/kit';
import { findRecentLaunch } from '#lib/server/login/index.js';
import { requireUser } from '#lib/server/user-request.js';
import type { PageServerLoad } from './$types';

export const csr = false;

/**
 * The hand-over after "Launch": the launch is already recorded (POST /portal?/launch); this page only reads it
 * and sends the browser on to the application with an instant refresh, which, unlike a redirect after the form
 * post, the portal's `form-action 'self'` does not cover. A visible link does the same where refreshes are off.
 */
export const load: PageServerLoad = async (event) => {
	const user = await requireUser(event);
	const launch = await findRecentLaunch(event.params.id, user);
	if (!launch) redirect(303, '/portal');
	event.setHeaders({ 'cache-control': 'no-store' });
	return { name: launch.applicationName, url: launch.url };
};
