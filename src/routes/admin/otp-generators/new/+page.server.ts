import { loadGeneratorEditor, saveGenerator, testGenerator } from '../editor.server.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const { form, servers, testTo } = await loadGeneratorEditor(null, locals.admin?.email ?? null);
	return { form, servers, testTo, title: 'Add OTP token generator' };
};

export const actions: Actions = {
	save: (event) => saveGenerator(event, null),
	test: (event) => testGenerator(event, null)
};
