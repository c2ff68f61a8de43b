import { loadApplicationEditor, saveApplication } from '../editor.server.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const { form } = await loadApplicationEditor(null);
	return { form, title: 'Add application' };
};

export const actions: Actions = {
	save: (event) => saveApplication(event, null)
};
