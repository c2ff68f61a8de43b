/**
 * The application editor's load and action, shared by /new and /[id]: validate the form with the screen's
 * schema, save it through the identity module, go back to the list.
 */
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { applicationFormDefaults, applicationSchema } from '#lib/schemas/applications.js';
import {
	applicationFormValues,
	createApplication,
	getApplication,
	updateApplication
} from '#lib/server/identity/applications.js';
import { clientMeta } from '#lib/server/request.js';

const adapter = zod4(applicationSchema, { defaults: applicationFormDefaults });

export async function loadApplicationEditor(id: string | null) {
	const application = id ? await getApplication(id) : null;
	const form = application
		? await superValidate(applicationFormValues(application), adapter, {
				id: 'application',
				errors: false
			})
		: await superValidate(adapter, { id: 'application' });
	return { application, form };
}

export async function saveApplication(event: RequestEvent, id: string | null) {
	const form = await superValidate(event.request, adapter, { id: 'application' });
	if (!form.valid) return fail(400, { form });
	const audit = { actor: event.locals.admin!.username, ip: clientMeta(event).ip };
	const result = id
		? await updateApplication(id, form.data, audit)
		: await createApplication(form.data, audit);
	if (!result.ok) return setError(form, result.field ?? '', result.message);
	redirect(303, `/admin/applications?saved=${encodeURIComponent(result.application.id)}`);
}
