/**
 * The OTP generator editor's load and actions, shared by /new and /[id]: validate the form with the screen's
 * schema, save it through the identity module, or run the configuration test (an e-mail generator mails a
 * sample code) on the form as it stands, saved or not.
 */
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { takeRateLimit } from '#lib/server/rate-limit.js';
import { setError, superValidate, type SuperValidated } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { fillMissingFields } from '#lib/server/form-defaults.js';
import {
	otpGeneratorFormDefaults,
	type OtpGeneratorForm,
	otpGeneratorSchema,
	otpGeneratorTestSchema
} from '#lib/schemas/otp-generators.js';
import {
	createOtpGenerator,
	getOtpGenerator,
	otpGeneratorFormValues,
	updateOtpGenerator
} from '#lib/server/identity/otp-generators.js';
import { listSmtpServers } from '#lib/server/mail/servers.js';
import { clientMeta } from '#lib/server/request.js';
import { sendSampleCode } from '#lib/server/identity/sample-test.js';

const adapter = zod4(otpGeneratorSchema, { defaults: otpGeneratorFormDefaults });

export async function loadGeneratorEditor(id: string | null, adminEmail: string | null) {
	const [generator, servers] = await Promise.all([
		id ? getOtpGenerator(id) : null,
		listSmtpServers()
	]);
	const form = generator
		? await superValidate(otpGeneratorFormValues(generator), adapter, {
				id: 'generator',
				errors: false
			})
		: await superValidate(adapter, { id: 'generator' });
	return {
		generator,
		form: withEveryField(form),
		// Only what the select shows: no secrets, no settings.
		servers: servers.map((s) => ({ id: s.id, name: s.name, fromAddress: s.fromAddress })),
		testTo: adminEmail ?? ''
	};
}

/**
 * The union's adapter keeps only the chosen type's fields, but the browser binds both types' (a new generator
 * may switch type): the others start from the blank defaults, never undefined.
 */
function withEveryField(form: SuperValidated<OtpGeneratorForm>) {
	form.data = fillMissingFields(form.data, otpGeneratorFormDefaults);
	return form;
}

function audit(event: RequestEvent) {
	return { actor: event.locals.admin!.username, ip: clientMeta(event).ip };
}

export async function saveGenerator(event: RequestEvent, id: string | null) {
	const form = await superValidate(event.request, adapter, { id: 'generator' });
	if (!form.valid) return fail(400, { form: withEveryField(form) });
	const result = id
		? await updateOtpGenerator(id, form.data, audit(event))
		: await createOtpGenerator(form.data, audit(event));
	if (!result.ok) return setError(withEveryField(form), result.field ?? '', result.message);
	redirect(303, `/admin/otp-generators?saved=${encodeURIComponent(result.generator.id)}`);
}

/** "Configuration test": mails a sample code with the form's settings (e-mail generators). */
export async function testGenerator(event: RequestEvent, id: string | null) {
	const data = await event.request.formData();
	const form = await superValidate(data, adapter, { id: 'generator' });
	// The destination is read with zod directly, not as a second superform (one form element, one form id).
	const test = otpGeneratorTestSchema.safeParse({ to: data.get('to') ?? '' });
	const testErrors = test.success ? undefined : z.flattenError(test.error).fieldErrors;
	if (!form.valid || !test.success) return fail(400, { form: withEveryField(form), testErrors });
	if (form.data.type !== 'email')
		return fail(400, {
			form: withEveryField(form),
			testErrors: { to: ['The configuration test mails a sample code: choose “OTP – e-mail”.'] }
		});
	const limit = await takeRateLimit(`otp-test:${event.locals.admin!.id}`, 20, 5 * 60_000);
	if (!limit.ok)
		return fail(429, {
			form: withEveryField(form),
			testErrors: { to: [`Too many tests in a row. Try again in ${limit.retryAfterSeconds} s.`] }
		});
	const testResult = await sendSampleCode({
		generator: form.data,
		generatorId: id,
		to: test.data.to,
		audit: audit(event)
	});
	return { form: withEveryField(form), testResult };
}
