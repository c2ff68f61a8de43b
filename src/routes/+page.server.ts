import { redirect } from '@sveltejs/kit';
import { validateUserSession } from '#lib/server/login/index.js';
import { sessionToken } from '#lib/server/user-request.js';
import type { PageServerLoad } from './$types';

/**
 * The site's address is where end users arrive: a signed-in user goes to the portal, everyone else to the
 * sign-in page (which links to the console). Only a console session, and no user session, opens the console.
 */
export const load: PageServerLoad = async (event) => {
	if (await validateUserSession(sessionToken(event))) redirect(303, '/portal');
	if (event.locals.admin) redirect(303, '/admin');
	redirect(303, '/login');
};
