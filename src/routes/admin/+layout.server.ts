import { isSiteSmtpUntested } from '#lib/server/site/settings.js';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => {
	if (!locals.admin) return { admin: null, siteSmtpUntested: false };
	return {
		admin: { username: locals.admin.username, role: locals.admin.role },
		// SMTP on, and the site's saved method has not passed a test ("save without testing", or changed since):
		// warn on every console page until a test passes.
		siteSmtpUntested: await isSiteSmtpUntested()
	};
};
