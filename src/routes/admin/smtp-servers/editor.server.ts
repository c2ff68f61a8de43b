/**
 * The SMTP server editor's load and actions, shared by /new and /[id] (and reused by the site settings' SMTP
 * section): validate the form, save it, or run the configuration test on the form as it stands, saved or not.
 */
import { logConfigurationTestMail } from '#lib/server/outbox/direct-log.js';
import { readServerDeliverySummary } from '#lib/server/outbox/log.js';
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { setError, superValidate, type SuperValidated } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { fillMissingFields } from '#lib/server/form-defaults.js';
import {
	configurationTestSchema,
	MICROSOFT_PRESET,
	MICROSOFT_SMTP_HOSTS,
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
import type { ConfigurationTestResult, SmtpServerView } from '#lib/server/mail/types.js';

export const serverAdapter = zod4(smtpServerSchema, { defaults: smtpServerFormDefaults });

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

export async function loadEditor(id: string | null, adminEmail: string | null) {
	const server = id ? await getSmtpServer(id) : null;
	const form = server
		? await superValidate(buildServerFormValues(server), serverAdapter, {
				id: 'server',
				errors: false
			})
		: await superValidate(serverAdapter, { id: 'server' });
	return { server, form: withEveryField(form), testTo: adminEmail ?? '' };
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

export interface EditorOptions {
	/** The site settings' server always has this name (its form has no name field). */
	forceName?: string;
	/**
	 * Site settings: Microsoft Modern Authentication always uses the cloud's Exchange Online host,
	 * port 587, STARTTLS, whatever was posted (the browser shows those fields read-only).
	 */
	fixMicrosoftEndpoint?: boolean;
	/** After a successful save: what to do with the saved server, and where to go next. */
	afterSave?: (server: SmtpServerView) => Promise<string> | string;
	/** After a configuration test (the site settings clear their "untested" warning on a pass). */
	afterTest?: (result: ConfigurationTestResult) => Promise<void>;
	/**
	 * Before saving a valid form: a reason to refuse (the site settings ask for the admin's password when the
	 * site's mail would go elsewhere), shown beside the "Your current password" field.
	 */
	beforeSave?: (
		form: SmtpServerForm,
		data: FormData
	) => Promise<{ status: number; message: string } | null>;
}

async function readServerForm(data: FormData, options: EditorOptions) {
	if (options.forceName) data.set('name', options.forceName);
	if (options.fixMicrosoftEndpoint && data.get('auth') === 'microsoft') {
		const cloud = String(data.get('cloud') ?? 'global');
		data.set(
			'host',
			MICROSOFT_SMTP_HOSTS[cloud as keyof typeof MICROSOFT_SMTP_HOSTS] ?? MICROSOFT_PRESET.host
		);
		data.set('port', String(MICROSOFT_PRESET.port));
		data.set('security', MICROSOFT_PRESET.security);
	}
	return superValidate(data, serverAdapter, { id: 'server' });
}

/** Save (create or update). Redirects to the list (or `afterSave`'s answer) on success. */
export async function saveServer(
	event: RequestEvent,
	id: string | null,
	options: EditorOptions = {}
) {
	const admin = event.locals.admin!;
	const data = await event.request.formData();
	const form = await readServerForm(data, options);
	if (!form.valid) {
		blankSecrets(form);
		return fail(400, { form });
	}
	const refused = await options.beforeSave?.(form.data, data);
	if (refused) {
		blankSecrets(form);
		return fail(refused.status, { form, reauthError: refused.message });
	}
	const audit = { actor: admin.username, ip: clientMeta(event).ip };
	const result = id
		? await updateSmtpServer(id, form.data, audit)
		: await createSmtpServer(form.data, audit);
	blankSecrets(form);
	if (!result.ok) return applyFailure(form, result);
	const next = options.afterSave
		? await options.afterSave(result.server)
		: `/admin/smtp-servers?saved=${encodeURIComponent(result.server.name)}`;
	redirect(303, next);
}

/** Configuration test of the form as it stands (test before save). Stores the result on a saved server. */
export async function testServer(
	event: RequestEvent,
	id: string | null,
	options: EditorOptions = {}
) {
	const admin = event.locals.admin!;
	const data = await event.request.formData();
	const form = await readServerForm(data, options);
	// The test's own fields (mode, destination) are read with zod directly, not as a second superform: the
	// posted data carries the server form's superform id, which would make the browser take one for the other.
	const test = configurationTestSchema.safeParse({
		mode: data.get('mode') ?? 'send',
		to: data.get('to') ?? ''
	});
	const testErrors = test.success ? undefined : z.flattenError(test.error).fieldErrors;
	if (!form.valid || !test.success) {
		blankSecrets(form);
		return fail(400, { form, testErrors });
	}
	// Tests open connections wherever the form points: admin-only (hooks), audited, and rate-limited.
	const limit = await takeRateLimit(`smtp-test:${admin.id}`, 20, 5 * 60_000);
	if (!limit.ok) {
		blankSecrets(form);
		return fail(429, {
			form,
			testErrors: { to: [`Too many tests in a row. Try again in ${limit.retryAfterSeconds} s.`] }
		});
	}
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
	await options.afterTest?.(result);
	return { form, testResult: result };
}
