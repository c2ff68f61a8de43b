import { fail } from '@sveltejs/kit';
import {
	deleteApplication,
	getApplication,
	listApplicationsPage
} from '#lib/server/identity/applications.js';
import { pagingOf, readPageQuery } from '#lib/server/db/keyset-pages.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const query = readPageQuery(url);
	const [page, saved] = await Promise.all([
		listApplicationsPage(query),
		getApplication(url.searchParams.get('saved') ?? '')
	]);
	return {
		paging: pagingOf('/admin/applications', 'application', query, page),
		applications: page.items.map((a) => ({
			id: a.id,
			name: a.name,
			url: a.url,
			description: a.description
		})),
		savedName: saved?.name ?? null
	};
};

export const actions: Actions = {
	delete: async (event) => {
		const id = String((await event.request.formData()).get('id') ?? '');
		const result = await deleteApplication(id, {
			actor: event.locals.admin!.username,
			ip: clientMeta(event).ip
		});
		if (!result.ok) return fail(404, { deleteError: result.message, deleteId: id });
		return { deleted: true };
	}
};
