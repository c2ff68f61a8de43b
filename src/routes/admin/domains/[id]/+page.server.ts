import { error } from '@sveltejs/kit';
import { isUuid } from '#lib/server/ids.js';
import { loadDomainEditor, saveDomain, storedForForm, testDomain } from '../editor.server.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	if (!isUuid(params.id)) error(404, 'No such identity provider');
	const { domain, form, generators } = await loadDomainEditor(params.id);
	if (!domain) error(404, 'No such identity provider');
	return {
		form,
		generators,
		stored: storedForForm(domain),
		title: domain.name,
		domainId: domain.id,
		userCount: domain.userCount
	};
};

export const actions: Actions = {
	save: (event) => {
		if (!isUuid(event.params.id)) error(404, 'No such identity provider');
		return saveDomain(event, event.params.id);
	},
	test: (event) => {
		if (!isUuid(event.params.id)) error(404, 'No such identity provider');
		return testDomain(event, event.params.id);
	}
};
