/**
 * The notification profile editor's load and actions, shared by /new and /[id]. One form in two steps, which
 * works without JavaScript: "Next" checks step 1 and shows step 2, "Back" returns, "Add" and a recipient's
 * remove button change the list on the server when no script does it in the browser, "Validate" saves, and
 * "Send a test notification" mails the templates as they stand.
 */
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { superValidate, setError, type SuperValidated } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import {
	notificationProfileDefaults,
	notificationProfileSchema,
	notificationTestSchema,
	recipientAddress,
	STEP_ONE_FIELDS,
	withPendingRecipient,
	type NotificationProfileForm
} from '#lib/schemas/notification-profiles.js';
import {
	createNotificationProfile,
	getNotificationProfile,
	notificationProfileFormValues,
	recentNotificationsOf,
	updateNotificationProfile
} from '#lib/server/notify/profiles.js';
import { sendTestNotification } from '#lib/server/notify/test-notification.js';
import { listApplications } from '#lib/server/identity/applications.js';
import { listSmtpServers } from '#lib/server/mail/servers.js';
import { takeRateLimit } from '#lib/server/rate-limit.js';
import { clientMeta } from '#lib/server/request.js';

const FORM_ID = 'profile';
const adapter = zod4(notificationProfileSchema, { defaults: notificationProfileDefaults });
type Form = SuperValidated<NotificationProfileForm>;

export async function loadProfileEditor(id: string | null, adminEmail: string | null) {
	const [profile, servers, applications, recent] = await Promise.all([
		id ? getNotificationProfile(id) : null,
		listSmtpServers(),
		listApplications(),
		id ? recentNotificationsOf(id) : []
	]);
	const form = profile
		? await superValidate(notificationProfileFormValues(profile), adapter, {
				id: FORM_ID,
				errors: false
			})
		: await superValidate(adapter, { id: FORM_ID });
	return {
		profile,
		form,
		// what the select and the Issuer show: no secrets, no settings
		servers: servers.map((s) => ({ id: s.id, name: s.name, fromAddress: s.fromAddress })),
		applications: applications.map((a) => ({ id: a.id, name: a.name })),
		recent,
		testTo: adminEmail ?? ''
	};
}

function audit(event: RequestEvent) {
	return { actor: event.locals.admin!.username, ip: clientMeta(event).ip };
}

async function readForm(event: RequestEvent, data?: FormData): Promise<Form> {
	return superValidate(data ?? event.request, adapter, { id: FORM_ID });
}

/** Keeps only the errors of `fields`; the form counts as valid when none is left. */
function onlyErrorsOf(form: Form, fields: readonly string[]): Form {
	const kept = Object.fromEntries(
		Object.entries(form.errors).filter(([field]) => fields.includes(field))
	);
	form.errors = kept;
	form.valid = Object.keys(kept).length === 0;
	return form;
}

function withoutErrors(form: Form): Form {
	return onlyErrorsOf(form, []);
}

/** The typed address joins the list (the schema checked it); the box empties. */
function foldPending(form: Form): Form {
	form.data.recipients = withPendingRecipient(form.data.recipients, form.data.newRecipient);
	form.data.newRecipient = '';
	return form;
}

/** "Next": step 1's fields are checked, then step 2 opens. */
export async function nextStep(event: RequestEvent) {
	const form = onlyErrorsOf(await readForm(event), STEP_ONE_FIELDS);
	form.data.step = '1';
	if (!form.valid) return fail(400, { form });
	foldPending(form).data.step = '2';
	return { form };
}

/** "Back" to step 1, keeping everything typed in step 2. */
export async function previousStep(event: RequestEvent) {
	const form = withoutErrors(await readForm(event));
	form.data.step = '1';
	return { form };
}

/**
 * "Add" (or Enter in a step 1 field, without JavaScript): the typed address joins the list. With nothing typed
 * it is the Enter key's "go on", so it acts as Next.
 */
export async function addRecipient(event: RequestEvent) {
	const form = await readForm(event);
	if (form.data.newRecipient.trim() === '') {
		onlyErrorsOf(form, STEP_ONE_FIELDS);
		form.data.step = '1';
		if (!form.valid) return fail(400, { form });
		form.data.step = '2';
		return { form };
	}
	onlyErrorsOf(form, ['newRecipient']);
	form.data.step = '1';
	if (!form.valid) return fail(400, { form });
	return { form: foldPending(form) };
}

/** A recipient's remove button (its value is the address). */
export async function removeRecipient(event: RequestEvent) {
	const data = await event.request.formData();
	const form = withoutErrors(await readForm(event, data));
	const address = recipientAddress.safeParse(String(data.get('remove') ?? ''));
	if (address.success)
		form.data.recipients = form.data.recipients.filter((r) => r !== address.data);
	form.data.step = '1';
	return { form };
}

/** "Update preview" without JavaScript: the page renders the preview from the form as posted. */
export async function refreshPreview(event: RequestEvent) {
	return { form: withoutErrors(await readForm(event)) };
}

/** "Validate": the whole form, then save. An error of step 1 reopens step 1. */
export async function saveProfile(event: RequestEvent, id: string | null) {
	const form = await readForm(event);
	if (!form.valid) {
		const stepOneBroken = Object.keys(form.errors).some((f) =>
			(STEP_ONE_FIELDS as readonly string[]).includes(f)
		);
		form.data.step = stepOneBroken ? '1' : '2';
		return fail(400, { form });
	}
	const result = id
		? await updateNotificationProfile(id, form.data, audit(event))
		: await createNotificationProfile(form.data, audit(event));
	if (!result.ok) {
		form.data.step = result.field === 'applicationIds' ? '2' : '1';
		const field =
			result.field === 'applicationIds' ? 'applicationIds._errors' : (result.field ?? '');
		return setError(form, field as '', result.message);
	}
	redirect(303, `/admin/notification-profiles?saved=${encodeURIComponent(result.profile.id)}`);
}

/** "Send a test notification": the server and the templates must be valid; recipients may still be empty. */
export async function testProfile(event: RequestEvent, id: string | null) {
	const data = await event.request.formData();
	const form = onlyErrorsOf(await readForm(event, data), [
		'name',
		'smtpServerId',
		'subjectTemplate',
		'bodyTemplate'
	]);
	form.data.step = '2';
	const test = notificationTestSchema.safeParse({ to: data.get('to') ?? '' });
	const testErrors = test.success ? undefined : z.flattenError(test.error).fieldErrors;
	if (!form.valid || !test.success) return fail(400, { form, testErrors });
	const limit = await takeRateLimit(`notification-test:${event.locals.admin!.id}`, 20, 5 * 60_000);
	if (!limit.ok)
		return fail(429, {
			form,
			testErrors: { to: [`Too many tests in a row. Try again in ${limit.retryAfterSeconds} s.`] }
		});
	const testResult = await sendTestNotification({
		profile: form.data,
		profileId: id,
		to: test.data.to,
		audit: audit(event)
	});
	return { form, testResult };
}
