import { fail, redirect } from '@sveltejs/kit';
import {
	message,
	setError,
	superValidate,
	type FormPathLeaves,
	type SuperValidated
} from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import {
	defaultRecipientsSchema,
	siteTimeZoneSchema,
	timeZoneChoices,
	siteAccountsSchema,
	siteEmailsSchema
} from '#lib/schemas/site.js';
import { regenerateCodesSchema } from '#lib/schemas/auth.js';
import { getSiteAccounts, getSiteSettings, isSiteSmtpUntested } from '#lib/server/site/settings.js';
import { getSiteEmails } from '#lib/server/site/emails.js';
import {
	changeDefaultRecipients,
	changeSiteTimeZone,
	changeSiteAccounts,
	changeSiteEmails,
	switchSiteSmtpOff,
	switchSiteSmtpOn,
	type Refusal
} from '#lib/server/site/changes.js';
import { keepEnabling, siteActor } from '#lib/server/site/request.js';
import {
	loadSiteServerEditor,
	saveSiteServer,
	testSiteServer
} from '#lib/server/site/smtp-method.js';
import { regenerateCodesAfterReauth } from '#lib/server/auth/account.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

const SECTIONS = ['accounts', 'emails', 'recipients', 'smtp', 'timezone'] as const;
type Section = (typeof SECTIONS)[number];

export const load: PageServerLoad = async ({ url, locals }) => {
	const settings = await getSiteSettings();
	const accounts = await getSiteAccounts(settings);
	const emails = await getSiteEmails();
	const requested = url.searchParams.get('edit');
	const editing = (SECTIONS as readonly string[]).includes(requested ?? '')
		? (requested as Section)
		: null;
	return {
		settings: {
			smtpEnabled: settings.smtpEnabled,
			untested: await isSiteSmtpUntested(settings),
			defaultRecipients: settings.defaultRecipients,
			timeZone: settings.timeZone
		},
		timeZones: timeZoneChoices(),
		accounts: { admin: accounts.admin?.username ?? '', support: accounts.support?.username ?? '' },
		emails,
		editing,
		accountsForm: await superValidate(
			{
				adminUsername: accounts.admin?.username ?? '',
				supportUsername: accounts.support?.username ?? ''
			},
			zod4(siteAccountsSchema),
			{ id: 'accounts', errors: false }
		),
		emailsForm: await superValidate({ ...emails }, zod4(siteEmailsSchema), {
			id: 'emails',
			errors: false
		}),
		recipientsForm: await superValidate(
			{ defaultRecipients: settings.defaultRecipients.join(', ') },
			zod4(defaultRecipientsSchema),
			{ id: 'recipients', errors: false }
		),
		timeZoneForm: await superValidate({ timeZone: settings.timeZone }, zod4(siteTimeZoneSchema), {
			id: 'timezone',
			errors: false
		}),
		codesForm: await superValidate(zod4(regenerateCodesSchema), { id: 'codes' }),
		smtp: await loadSiteServerEditor(settings.smtpServerId, locals.admin?.email ?? null)
	};
};

export const actions: Actions = {
	accounts: async (event) => {
		const form = await superValidate(event.request, zod4(siteAccountsSchema), { id: 'accounts' });
		const { adminPassword, supportPassword, currentPassword } = form.data;
		form.data.adminPassword =
			form.data.adminConfirm =
			form.data.supportPassword =
			form.data.supportConfirm =
			form.data.currentPassword =
				'';
		if (!form.valid) return fail(400, { accountsForm: form });
		const outcome = await changeSiteAccounts(
			{
				adminUsername: form.data.adminUsername,
				adminPassword,
				supportUsername: form.data.supportUsername,
				supportPassword
			},
			currentPassword,
			siteActor(event)
		);
		if (!outcome.ok) return refuse(form, outcome);
		redirect(303, '/admin/site?saved=accounts');
	},

	emails: async (event) => {
		const form = await superValidate(event.request, zod4(siteEmailsSchema), { id: 'emails' });
		const { currentPassword, adminEmail, supportEmail, alertEmail } = form.data;
		form.data.currentPassword = '';
		if (!form.valid) return fail(400, { emailsForm: form });
		const outcome = await changeSiteEmails(
			{ adminEmail, supportEmail, alertEmail },
			currentPassword,
			siteActor(event),
			event.url.origin
		);
		if (!outcome.ok) return refuse(form, outcome);
		redirect(303, `/admin/site?saved=emails${keepEnabling(event.url)}#emails`);
	},

	recipients: async (event) => {
		const form = await superValidate(event.request, zod4(defaultRecipientsSchema), {
			id: 'recipients'
		});
		if (!form.valid) return fail(400, { recipientsForm: form });
		const outcome = await changeDefaultRecipients(form.data.defaultRecipients, siteActor(event));
		if (!outcome.ok) return refuse(form, outcome);
		redirect(303, `/admin/site?saved=recipients${keepEnabling(event.url)}#recipients`);
	},

	timeZone: async (event) => {
		const form = await superValidate(event.request, zod4(siteTimeZoneSchema), { id: 'timezone' });
		if (!form.valid) return fail(400, { timeZoneForm: form });
		const outcome = await changeSiteTimeZone(form.data.timeZone, siteActor(event));
		if (!outcome.ok) return refuse(form, outcome);
		redirect(303, `/admin/site?saved=timezone${keepEnabling(event.url)}#timezone`);
	},

	smtpSave: saveSiteServer,

	smtpTest: testSiteServer,

	smtpOn: async (event) => {
		const withoutTest = (await event.request.formData()).get('withoutTest') === 'on';
		const outcome = await switchSiteSmtpOn(withoutTest, siteActor(event), event.url.origin);
		if (!outcome.ok)
			return fail(outcome.status, { switchError: outcome.message, back: '/admin/site?enable=1' });
		redirect(303, '/admin/site?saved=on');
	},

	smtpOff: async (event) => {
		await switchSiteSmtpOff(siteActor(event));
		redirect(303, '/admin/site?saved=off');
	},

	codes: async (event) => {
		const form = await superValidate(event.request, zod4(regenerateCodesSchema), { id: 'codes' });
		const { currentPassword } = form.data;
		form.data.currentPassword = '';
		if (!form.valid) return fail(400, { codesForm: form });
		const admin = event.locals.admin!;
		const result = await regenerateCodesAfterReauth({
			adminId: admin.id,
			username: admin.username,
			currentPassword,
			ip: clientMeta(event).ip
		});
		if (!result.ok)
			return setError(form, 'currentPassword', result.message, { status: result.status });
		return { codesForm: form, codes: result.codes };
	}
};

/** A refused change: on its field when it names one, else as the form's message. */
function refuse<T extends Record<string, unknown>>(form: SuperValidated<T>, outcome: Refusal) {
	if (outcome.field)
		return setError(form, outcome.field as FormPathLeaves<T>, outcome.message, {
			status: outcome.status
		});
	return message(form, outcome.message, { status: outcome.status });
}
