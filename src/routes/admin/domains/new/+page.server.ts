import { loadDomainEditor, saveDomain, testDomain } from '../editor.server.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const { form, generators } = await loadDomainEditor(null);
	return { form, generators, stored: null, title: 'Add identity provider' };
};

export const actions: Actions = {
	save: (event) => saveDomain(event, null),
	test: (event) => testDomain(event, null)
};
