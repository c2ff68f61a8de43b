import { isSiteSmtpUntested } from '#lib/server/site/settings.js';
import { permissionsOf } from '#lib/roles.js';
import { alertsUndeliverable } from '#lib/server/alerts/console.js';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => {
	if (!locals.admin)
		return { admin: null, can: null, siteSmtpUntested: false, alertsUndeliverable: null };
	return {
		admin: { username: locals.admin.username, role: locals.admin.role },
		// what the role may do, so pages hide the rest (the server refuses it anyway: auth/access.ts)
		can: permissionsOf(locals.admin.role),
		// SMTP on, and the site's saved method has not passed a test ("save without testing", or changed since):
		// warn on every console page until a test passes.
		siteSmtpUntested: await isSiteSmtpUntested(),
		// no server an alert could go through (the site's is off or failing, and no other passed its check)
		alertsUndeliverable: await alertsUndeliverable()
	};
};
