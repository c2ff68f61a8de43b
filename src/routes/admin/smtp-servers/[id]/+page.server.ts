import { error } from '@sveltejs/kit';
import { loadEditor, saveServer, storedForForm, testServer } from '../editor.server.js';
import type { Actions, PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageServerLoad = async ({ locals, params }) => {
	if (!UUID.test(params.id)) error(404, 'No such SMTP server');
	const { server, form, testTo } = await loadEditor(params.id, locals.admin?.email ?? null);
	if (!server) error(404, 'No such SMTP server');
	return { form, testTo, stored: storedForForm(server), title: server.name };
};

export const actions: Actions = {
	save: (event) => {
		if (!UUID.test(event.params.id)) error(404, 'No such SMTP server');
		return saveServer(event, event.params.id);
	},
	test: (event) => {
		if (!UUID.test(event.params.id)) error(404, 'No such SMTP server');
		return testServer(event, event.params.id);
	}
};
