/**
 * The SMTP server form's server side: load it, validate it, save it, or run the configuration test on the form as
 * it stands, saved or not. `saveServer` and `testServer` are the whole actions of /admin/smtp-servers (/new and
 * /[id]); the site settings build their own from the same steps (site/smtp-method.ts). Secrets are write-only:
 * every form this sends back has them blank.
 */
import { signsInWithBasicToMicrosoft } from './mail/basic-auth-retirement.js';
import { logConfigurationTestMail } from '#lib/server/outbox/direct-log.js';
import { readServerDeliverySummary } from '#lib/server/outbox/log.js';
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { setError, superValidate, type SuperValidated } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { fillMissingFields } from '#lib/server/form-defaults.js';
import {
	configurationTestSchema,
	smtpServerFormDefaults,
	smtpServerSchema,
	type SmtpServerForm
} from '#lib/schemas/smtp-server.js';
import {
	buildServerFormValues,
	createSmtpServer,
	getSmtpServer,
	resolveServerSettings,
	updateSmtpServer,
	type SaveServerFailure
} from '#lib/server/mail/servers.js';
import { recordConfigurationTest, runConfigurationTest } from '#lib/server/mail/config-test.js';
import { clientMeta } from '#lib/server/request.js';
import { takeRateLimit } from '#lib/server/rate-limit.js';
import type { SmtpServerView } from '#lib/server/mail/types.js';

const serverAdapter = zod4(smtpServerSchema, { defaults: smtpServerFormDefaults });

/** What the form needs to know about the stored server, without its secrets. */
export function storedForForm(server: SmtpServerView) {
	return {
		hasPassword: server.hasPassword,
		hasClientSecret: server.hasClientSecret,
		host: server.host,
		port: server.port,
		security: server.security,
		auth: server.auth,
		username: server.username,
		mailbox: server.mailbox,
		fromAddress: server.fromAddress,
		verifyTls: server.verifyTls,
		caPem: server.caPem
	};
}

/** The server's mail in the outbox, as its page shows it (dates as ISO strings for the page). */
export async function loadDelivery(server: SmtpServerView) {
	const summary = await readServerDeliverySummary(server.id);
	return {
		queueDepth: summary.queueDepth,
		lastDeliveryAt: summary.lastDeliveryAt?.toISOString() ?? null,
		lastFailure: summary.lastFailure
			? { ...summary.lastFailure, at: summary.lastFailure.at.toISOString() }
			: null,
		paused: summary.paused
			? { until: summary.paused.until.toISOString(), reason: summary.paused.reason }
			: null,
		limits: server.limits
	};
}

export async function loadServerEditor(
	id: string | null,
	adminEmail: string | null,
	{ switchToOAuth2 = false } = {}
) {
	const server = id ? await getSmtpServer(id) : null;
	const basicOnMicrosoft = server ? signsInWithBasicToMicrosoft(server) : false;
	const values = server ? buildServerFormValues(server) : null;
	const form = values
		? await superValidate(
				basicOnMicrosoft && switchToOAuth2 ? asMicrosoftOAuth2(values) : values,
				serverAdapter,
				{ id: 'server', errors: false }
			)
		: await superValidate(serverAdapter, { id: 'server' });
	return { server, form: withEveryField(form), testTo: adminEmail ?? '', basicOnMicrosoft };
}

/**
 * The form of a Basic-auth server on Microsoft's host, switched to OAuth2: same host and sender, STARTTLS on
 * 587, the signed-in mailbox kept as the mailbox; the admin adds the tenant, client and secret from Entra ID.
 */
function asMicrosoftOAuth2(values: SmtpServerForm): SmtpServerForm {
	const basic = values as SmtpServerForm & { username?: string };
	return {
		...values,
		auth: 'microsoft',
		security: 'starttls',
		port: 587,
		mailbox: basic.username || values.fromAddress,
		tenantId: '',
		clientId: '',
		clientSecret: '',
		clientSecretExpiresOn: '',
		cloud: 'global'
	} as SmtpServerForm;
}

/**
 * The union's adapter keeps only the chosen branch's fields, but the browser binds every branch's fields (the
 * admin may switch the authentication): the others start from the blank defaults, never undefined.
 */
function withEveryField(form: SuperValidated<SmtpServerForm>) {
	form.data = fillMissingFields(form.data, smtpServerFormDefaults);
	return form;
}

/** Secrets are write-only: never sent back, and every other field complete (withEveryField). */
function blankSecrets(form: SuperValidated<SmtpServerForm>) {
	withEveryField(form);
	const data = form.data as Record<string, unknown>;
	data.password = '';
	data.clientSecret = '';
}

function applyFailure(form: SuperValidated<SmtpServerForm>, failure: SaveServerFailure) {
	// Field names are the form's; a failure without a field is shown as the form's message.
	return failure.field
		? setError(form, failure.field as never, failure.message)
		: setError(form, '', failure.message);
}

/** Validates a posted server form. */
export function readServerForm(data: FormData) {
	return superValidate(data, serverAdapter, { id: 'server' });
}

/** Sends the form back refused, its secrets blank, with whatever else the page shows beside it. */
export function refuseServerForm(
	form: SuperValidated<SmtpServerForm>,
	status: number,
	extra: { reauthError?: string; testErrors?: Record<string, string[] | undefined> } = {}
) {
	blankSecrets(form);
	return fail(status, { form, ...extra });
}

/**
 * Creates (no id) or updates the server from a valid form. Secrets are blanked on the form either way; a refusal
 * comes back as the action's answer, ready to return.
 */
export async function storeServerForm(
	event: RequestEvent,
	id: string | null,
	form: SuperValidated<SmtpServerForm>
) {
	const admin = event.locals.admin!;
	const audit = { actor: admin.username, ip: clientMeta(event).ip };
	const result = id
		? await updateSmtpServer(id, form.data, audit)
		: await createSmtpServer(form.data, audit);
	blankSecrets(form);
	if (!result.ok) return { ok: false as const, failure: applyFailure(form, result) };
	return { ok: true as const, server: result.server };
}

/**
 * The configuration test of a validated form as it stands (test before save), with the test's own fields read
 * from the same posted data. Stores the result on a saved server (`id`).
 */
export async function testServerForm(
	event: RequestEvent,
	id: string | null,
	form: SuperValidated<SmtpServerForm>,
	data: FormData
) {
	const admin = event.locals.admin!;
	// The test's own fields (mode, destination) are read with zod directly, not as a second superform: the
	// posted data carries the server form's superform id, which would make the browser take one for the other.
	const test = configurationTestSchema.safeParse({
		mode: data.get('mode') ?? 'send',
		to: data.get('to') ?? ''
	});
	const testErrors = test.success ? undefined : z.flattenError(test.error).fieldErrors;
	if (!form.valid || !test.success) return refuseServerForm(form, 400, { testErrors });
	// Tests open connections wherever the form points: admin-only (hooks), audited, and rate-limited.
	const limit = await takeRateLimit(`smtp-test:${admin.id}`, 20, 5 * 60_000);
	if (!limit.ok)
		return refuseServerForm(form, 429, {
			testErrors: { to: [`Too many tests in a row. Try again in ${limit.retryAfterSeconds} s.`] }
		});
	const resolved = await resolveServerSettings(form.data, id ?? undefined);
	blankSecrets(form);
	if (!resolved.ok) return applyFailure(form, resolved);
	const result = await runConfigurationTest(resolved.settings, {
		mode: test.data.mode,
		to: test.data.to
	});
	await recordConfigurationTest(result, {
		serverId: id ?? undefined,
		serverName: form.data.name,
		actor: admin.username,
		ip: clientMeta(event).ip
	});
	if (test.data.to)
		await logConfigurationTestMail(result, {
			serverId: id ?? undefined,
			serverName: form.data.name,
			fromAddress: resolved.settings.fromAddress,
			to: test.data.to
		});
	return { form, testResult: result };
}

/** Save (create or update) an SMTP server; back to the list on success. */
export async function saveServer(event: RequestEvent, id: string | null) {
	const form = await readServerForm(await event.request.formData());
	if (!form.valid) return refuseServerForm(form, 400);
	const stored = await storeServerForm(event, id, form);
	if (!stored.ok) return stored.failure;
	redirect(303, `/admin/smtp-servers?saved=${encodeURIComponent(stored.server.name)}`);
}

/** Configuration test of an SMTP server's form as it stands. */
export async function testServer(event: RequestEvent, id: string | null) {
	const data = await event.request.formData();
	return testServerForm(event, id, await readServerForm(data), data);
}
