import { getSiteSettings } from '#lib/server/site/settings.js';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => {
	if (!locals.admin) return { admin: null, siteSmtpUntested: false };
	const site = await getSiteSettings();
	return {
		admin: { username: locals.admin.username, role: locals.admin.role },
		// SMTP switched on with "save without testing": warn on every console page until a test passes.
		siteSmtpUntested: site.smtpEnabled && site.untestedSince !== null
	};
};
