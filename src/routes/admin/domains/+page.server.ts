import { fail } from '@sveltejs/kit';
import { deleteDomain, getDomain, listDomainsPage } from '#lib/server/identity/domains.js';
import { pagingOf, readPageQuery } from '#lib/server/db/keyset-pages.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const query = readPageQuery(url);
	const [page, saved] = await Promise.all([
		listDomainsPage(query),
		getDomain(url.searchParams.get('saved') ?? '')
	]);
	return {
		paging: pagingOf('/admin/domains', 'domain', query, page),
		// Test domains first (the module's order), then by name.
		domains: page.items.map((d) => ({
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
