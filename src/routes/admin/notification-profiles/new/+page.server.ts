import * as editor from '../editor.server.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const { form, servers, applications, testTo } = await editor.loadProfileEditor(
		null,
		locals.admin?.email ?? null
	);
	return { form, servers, applications, testTo, title: 'Add notification profile' };
};

export const actions: Actions = {
	next: editor.nextStep,
	back: editor.previousStep,
	addRecipient: editor.addRecipient,
	removeRecipient: editor.removeRecipient,
	preview: editor.refreshPreview,
	save: (event) => editor.saveProfile(event, null),
	test: (event) => editor.testProfile(event, null)
};
