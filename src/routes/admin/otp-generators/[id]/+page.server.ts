import { error } from '@sveltejs/kit';
import { isUuid } from '#lib/server/ids.js';
import { loadGeneratorEditor, saveGenerator, testGenerator } from '../editor.server.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	if (!isUuid(params.id)) error(404, 'No such OTP generator');
	const { generator, form, servers, testTo } = await loadGeneratorEditor(
		params.id,
		locals.admin?.email ?? null
	);
	if (!generator) error(404, 'No such OTP generator');
	return { form, servers, testTo, title: generator.name, usedBy: generator.usedBy };
};

export const actions: Actions = {
	save: (event) => {
		if (!isUuid(event.params.id)) error(404, 'No such OTP generator');
		return saveGenerator(event, event.params.id);
	},
	test: (event) => {
		if (!isUuid(event.params.id)) error(404, 'No such OTP generator');
		return testGenerator(event, event.params.id);
	}
};
