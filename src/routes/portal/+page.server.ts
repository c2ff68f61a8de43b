import { fail, redirect } from '@sveltejs/kit';
import {
	deleteUserCookies,
	listPortalApplications,
	recordLaunch,
	signOutUser
} from '#lib/server/login/index.js';
import { clientMeta } from '#lib/server/request.js';
import { requireUser, sessionToken } from '#lib/server/user-request.js';
import type { Actions, PageServerLoad } from './$types';

export const csr = false;

export const load: PageServerLoad = async (event) => {
	const user = await requireUser(event);
	return {
		user: { username: user.displayName || user.username, domain: user.domainName },
		applications: await listPortalApplications()
	};
};

export const actions: Actions = {
	launch: async (event) => {
		const user = await requireUser(event);
		const id = String((await event.request.formData()).get('application') ?? '');
		const meta = clientMeta(event);
		const result = await recordLaunch(user, id, meta.ip, meta.userAgent);
		if (!result.ok) return fail(404, { error: result.message });
		// Not straight to the application: this page's CSP (`form-action 'self'`) also covers the redirects after
		// a form post, and applications live on other origins. The hand-over page opens it (see findRecentLaunch).
		redirect(303, `/portal/launch/${result.launchId}`);
	},
	signOut: async (event) => {
		await signOutUser(sessionToken(event), { ip: clientMeta(event).ip });
		deleteUserCookies(event.cookies, event.locals.secure);
		redirect(303, '/login?notice=signed-out');
	}
};
