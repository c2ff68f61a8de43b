import { error, type RequestEvent } from '@sveltejs/kit';
import { isUuid } from '#lib/server/ids.js';
import * as editor from '../editor.server.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	if (!isUuid(params.id)) error(404, 'No such notification profile');
	const { profile, form, servers, applications, recent, testTo } = await editor.loadProfileEditor(
		params.id,
		locals.admin?.email ?? null
	);
	if (!profile) error(404, 'No such notification profile');
	return { form, servers, applications, recent, testTo, profile, title: profile.name };
};

function profileId(event: RequestEvent): string {
	const id = event.params.id ?? '';
	if (!isUuid(id)) error(404, 'No such notification profile');
	return id;
}

export const actions: Actions = {
	next: editor.nextStep,
	back: editor.previousStep,
	addRecipient: editor.addRecipient,
	removeRecipient: editor.removeRecipient,
	preview: editor.refreshPreview,
	save: (event) => editor.saveProfile(event, profileId(event)),
	test: (event) => editor.testProfile(event, profileId(event))
};
