import { error } from '@sveltejs/kit';
import { isUuid } from '#lib/server/ids.js';
import {
	loadDelivery,
	loadServerEditor,
	saveServer,
	storedForForm,
	testServer
} from '#lib/server/smtp-editor.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	if (!isUuid(params.id)) error(404, 'No such SMTP server');
	const switchToOAuth2 = url.searchParams.get('switch') === 'oauth2';
	const { server, form, testTo, basicOnMicrosoft } = await loadServerEditor(
		params.id,
		locals.admin?.email ?? null,
		{ switchToOAuth2 }
	);
	if (!server) error(404, 'No such SMTP server');
	return {
		form,
		testTo,
		stored: storedForForm(server),
		title: server.name,
		serverId: server.id,
		delivery: await loadDelivery(server),
		basicOnMicrosoft,
		switchingToOAuth2: basicOnMicrosoft && switchToOAuth2
	};
};

export const actions: Actions = {
	save: (event) => {
		if (!isUuid(event.params.id)) error(404, 'No such SMTP server');
		return saveServer(event, event.params.id);
	},
	test: (event) => {
		if (!isUuid(event.params.id)) error(404, 'No such SMTP server');
		return testServer(event, event.params.id);
	}
};
