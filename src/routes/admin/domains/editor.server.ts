/**
 * The identity domain editor's load and actions, shared by /new and /[id]: validate the form with the screen's
 * schema, save it through the identity module, or run "Test connection" (LDAP) on the form as it stands,
 * saved or not. The bind password is write-only: every form this sends back has it blank.
 */
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { takeRateLimit } from '#lib/server/rate-limit.js';
import { setError, superValidate, type SuperValidated } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { fillMissingFields } from '#lib/server/form-defaults.js';
import {
	domainFormDefaults,
	domainSchema,
	ldapTestSchema,
	type DomainForm
} from '#lib/schemas/domains.js';
import {
	createDomain,
	domainFormValues,
	getDomain,
	testDomainConnection,
	updateDomain,
	type DomainView
} from '#lib/server/identity/domains.js';
import { listOtpGenerators } from '#lib/server/identity/otp-generators.js';
import type { SaveFailure } from '#lib/server/identity/common.js';
import { clientMeta } from '#lib/server/request.js';

const adapter = zod4(domainSchema, { defaults: domainFormDefaults });

/** What the form needs to know about the stored domain, without its bind password. */
export function storedForForm(domain: DomainView) {
	return {
		kind: domain.kind,
		hasBindPassword: domain.ldap?.hasBindPassword ?? false,
		url: domain.ldap?.url ?? '',
		bindDn: domain.ldap?.bindDn ?? '',
		startTls: domain.ldap?.startTls ?? false,
		caPem: domain.ldap?.caPem ?? ''
	};
}

export async function loadDomainEditor(id: string | null) {
	const [domain, generators] = await Promise.all([id ? getDomain(id) : null, listOtpGenerators()]);
	const form = domain
		? await superValidate(domainFormValues(domain), adapter, { id: 'domain', errors: false })
		: await superValidate(adapter, { id: 'domain' });
	return {
		domain,
		form: withEveryField(form),
		generators: generators.map((g) => ({ id: g.id, name: g.name, type: g.type }))
	};
}

/**
 * The union's adapter keeps only the chosen kind's fields, but the browser binds both kinds' (the admin may
 * switch between local and LDAP): the others start from the blank defaults, never undefined.
 */
function withEveryField(form: SuperValidated<DomainForm>) {
	form.data = fillMissingFields(form.data, domainFormDefaults);
	return form;
}

/** The bind password is write-only: never sent back, and every other field complete (withEveryField). */
function blankSecret(form: SuperValidated<DomainForm>) {
	withEveryField(form);
	(form.data as Record<string, unknown>).bindPassword = '';
}

function applyFailure(form: SuperValidated<DomainForm>, failure: SaveFailure) {
	return setError(form, (failure.field ?? '') as never, failure.message);
}

function audit(event: RequestEvent) {
	return { actor: event.locals.admin!.username, ip: clientMeta(event).ip };
}

export async function saveDomain(event: RequestEvent, id: string | null) {
	const form = await superValidate(event.request, adapter, { id: 'domain' });
	if (!form.valid) {
		blankSecret(form);
		return fail(400, { form });
	}
	const result = id
		? await updateDomain(id, form.data, audit(event))
		: await createDomain(form.data, audit(event));
	blankSecret(form);
	if (!result.ok) return applyFailure(form, result);
	redirect(303, `/admin/domains?saved=${encodeURIComponent(result.domain.id)}`);
}

/** "Test connection": bind, look the given user up, report the attributes found (LDAP domains). */
export async function testDomain(event: RequestEvent, id: string | null) {
	const data = await event.request.formData();
	const form = await superValidate(data, adapter, { id: 'domain' });
	// The username is read with zod directly, not as a second superform (one form element, one form id).
	const test = ldapTestSchema.safeParse({ username: data.get('testUsername') ?? '' });
	const testErrors = test.success ? undefined : z.flattenError(test.error).fieldErrors;
	if (!form.valid || !test.success) {
		blankSecret(form);
		return fail(400, { form, testErrors });
	}
	if (form.data.kind !== 'ldap') {
		blankSecret(form);
		return fail(400, { form, testErrors: { username: ['Test connection is for LDAP domains.'] } });
	}
	// Connection tests reach wherever the form points: admin-only (hooks), audited, and rate-limited.
	const limit = await takeRateLimit(`ldap-test:${event.locals.admin!.id}`, 20, 5 * 60_000);
	if (!limit.ok) {
		blankSecret(form);
		return fail(429, {
			form,
			testErrors: {
				username: [`Too many tests in a row. Try again in ${limit.retryAfterSeconds} s.`]
			}
		});
	}
	const result = await testDomainConnection({
		form: { ...form.data },
		domainId: id,
		username: test.data.username,
		audit: audit(event)
	});
	blankSecret(form);
	if (!result.ok) return applyFailure(form, result);
	return { form, ldapTest: result.result };
}
