import { loadServerEditor, saveServer, testServer } from '#lib/server/smtp-editor.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const { form, testTo } = await loadServerEditor(null, locals.admin?.email ?? null);
	return { form, testTo, stored: null, title: 'Add SMTP server' };
};

export const actions: Actions = {
	save: (event) => saveServer(event, null),
	test: (event) => testServer(event, null)
};
