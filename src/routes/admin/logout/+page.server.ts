import { redirect } from '@sveltejs/kit';
import { deleteSessionCookie, invalidateSession } from '#lib/server/auth/session.js';
import { recordAudit } from '#lib/server/audit.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

// Signing out changes state, so it is a POST (the sidebar's button); a GET just goes back to the console.
export const load: PageServerLoad = () => redirect(303, '/admin');

export const actions: Actions = {
	default: async (event) => {
		if (event.locals.sessionToken) await invalidateSession(event.locals.sessionToken);
		deleteSessionCookie(event.cookies, event.locals.secure);
		if (event.locals.admin)
			await recordAudit({
				actor: event.locals.admin.username,
				action: 'auth.sign_out',
				ip: clientMeta(event).ip
			});
		redirect(303, '/admin/login?notice=signed-out');
	}
};
