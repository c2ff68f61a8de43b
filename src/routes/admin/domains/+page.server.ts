import { fail } from '@sveltejs/kit';
import { deleteDomain, listDomains } from '#lib/server/identity/domains.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const domains = await listDomains();
	const saved = domains.find((d) => d.id === url.searchParams.get('saved'));
	return {
		// Test domains first (the module's order), then by name.
		domains: domains.map((d) => ({
			id: d.id,
			kind: d.kind,
			name: d.name,
			isTest: d.isTest,
			otpGenerator: d.otpGenerator,
			emailAttribute: d.emailAttribute,
			url: d.ldap?.url ?? null,
			userCount: d.userCount
		})),
		savedName: saved?.name ?? null
	};
};

export const actions: Actions = {
	delete: async (event) => {
		const id = String((await event.request.formData()).get('id') ?? '');
		const result = await deleteDomain(id, {
			actor: event.locals.admin!.username,
			ip: clientMeta(event).ip
		});
		if (!result.ok) return fail(404, { deleteError: result.message, deleteId: id });
		return { deleted: true };
	}
};
