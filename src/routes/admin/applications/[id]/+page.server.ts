import { error } from '@sveltejs/kit';
import { isUuid } from '#lib/server/ids.js';
import { loadApplicationEditor, saveApplication } from '../editor.server.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	if (!isUuid(params.id)) error(404, 'No such application');
	const { application, form } = await loadApplicationEditor(params.id);
	if (!application) error(404, 'No such application');
	return { form, title: application.name };
};

export const actions: Actions = {
	save: (event) => {
		if (!isUuid(event.params.id)) error(404, 'No such application');
		return saveApplication(event, event.params.id);
	}
};
