import { fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import {
	defaultRecipientsSchema,
	siteAccountsSchema,
	siteEmailsSchema
} from '#lib/schemas/site.js';
import { regenerateCodesSchema } from '#lib/schemas/auth.js';
import { parseRecipientList } from '#lib/recipients.js';
import { findPasswordProblem } from '#lib/password-policy.js';
import {
	getSiteAccounts,
	getSiteSettings,
	isSiteSmtpUntested,
	updateSiteSettings
} from '#lib/server/site/settings.js';
import {
	changedSiteEmails,
	getSiteEmails,
	saveDefaultRecipients,
	saveSiteEmails
} from '#lib/server/site/emails.js';
import { updateSiteAccounts } from '#lib/server/site/accounts.js';
import { confirmCurrentPassword, regenerateOwnRecoveryCodes } from '#lib/server/auth/account.js';
import { clientMeta } from '#lib/server/request.js';
import { findChangedServerDestination, getSmtpServer } from '#lib/server/mail/servers.js';
import {
	loadEditor,
	saveServer,
	storedForForm,
	testServer
} from '../smtp-servers/editor.server.js';
import type { Actions, PageServerLoad } from './$types';

const SECTIONS = ['accounts', 'emails', 'recipients', 'smtp'] as const;
type Section = (typeof SECTIONS)[number];

/** While switching SMTP on (?enable=1), saving a section stays in that flow. */
function keepEnabling(url: URL) {
	return url.searchParams.has('enable') ? '&enable=1' : '';
}

const SITE_SERVER_NAME = 'Site e-mail (Site settings)';

async function siteServer() {
	const settings = await getSiteSettings();
	return settings.smtpServerId ? await getSmtpServer(settings.smtpServerId) : null;
}

export const load: PageServerLoad = async ({ url, locals }) => {
	const settings = await getSiteSettings();
	const server = settings.smtpServerId ? await getSmtpServer(settings.smtpServerId) : null;
	const editor = await loadEditor(server?.id ?? null, locals.admin?.email ?? null);
	if (!server) editor.form.data.name = SITE_SERVER_NAME;
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
			defaultRecipients: settings.defaultRecipients
		},
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
		codesForm: await superValidate(zod4(regenerateCodesSchema), { id: 'codes' }),
		smtp: {
			form: editor.form,
			testTo: editor.testTo,
			stored: server ? storedForForm(server) : null,
			// once the site sends through a server, moving its mail elsewhere needs the admin's password
			reauth: server !== null,
			summary: server
				? {
						auth: server.auth,
						host: server.host,
						port: server.port,
						security: server.security,
						fromAddress: server.fromAddress,
						fromName: server.fromName,
						mailbox: server.mailbox,
						clientSecretExpiry: server.clientSecretExpiry,
						clientSecretExpiresOn: server.clientSecretExpiresOn,
						lastTest: server.lastTest
							? {
									at: server.lastTest.at.toISOString(),
									ok: server.lastTest.ok,
									verdict: server.lastTest.summary?.verdict ?? null
								}
							: null,
						testedSinceChange: server.lastTest?.ok === true
					}
				: null
		}
	};
};

export const actions: Actions = {
	accounts: async (event) => {
		const admin = event.locals.admin!;
		const form = await superValidate(event.request, zod4(siteAccountsSchema), { id: 'accounts' });
		const { adminPassword, supportPassword, currentPassword } = form.data;
		form.data.adminPassword =
			form.data.adminConfirm =
			form.data.supportPassword =
			form.data.supportConfirm =
				'';
		form.data.currentPassword = '';
		if (!form.valid) return fail(400, { accountsForm: form });
		const settings = await getSiteSettings();
		// The usernames are editable only while SMTP configuration is off.
		if (settings.smtpEnabled)
			return message(form, 'Switch SMTP configuration off to change the usernames.', {
				status: 409
			});

		const meta = clientMeta(event);
		const reauth = await confirmCurrentPassword(admin.id, admin.username, currentPassword, meta.ip);
		if (!reauth.ok)
			return setError(form, 'currentPassword', reauth.message, { status: reauth.status });
		for (const [field, pw, user] of [
			['adminPassword', adminPassword, form.data.adminUsername],
			['supportPassword', supportPassword, form.data.supportUsername]
		] as const) {
			const problem = pw ? await findPasswordProblem(pw, user) : null;
			if (problem) return setError(form, field, problem);
		}
		const result = await updateSiteAccounts(
			{
				adminUsername: form.data.adminUsername,
				adminPassword,
				supportUsername: form.data.supportUsername,
				supportPassword
			},
			// a changed password ends the account's other sessions; this one stays signed in
			{ actor: admin.username, ip: meta.ip, sessionToken: event.locals.sessionToken }
		);
		if (!result.ok) return setError(form, result.field, result.message);
		redirect(303, '/admin/site?saved=accounts');
	},

	emails: async (event) => {
		const admin = event.locals.admin!;
		const form = await superValidate(event.request, zod4(siteEmailsSchema), { id: 'emails' });
		const currentPassword = form.data.currentPassword;
		form.data.currentPassword = '';
		if (!form.valid) return fail(400, { emailsForm: form });
		const next = {
			adminEmail: form.data.adminEmail,
			supportEmail: form.data.supportEmail,
			alertEmail: form.data.alertEmail
		};
		const meta = clientMeta(event);
		// Changing where mail (and reset links) go is a sensitive change: the password is asked again.
		if ((await changedSiteEmails(next)).length > 0) {
			if (!currentPassword)
				return setError(
					form,
					'currentPassword',
					'Enter your password to change an e-mail address.'
				);
			const reauth = await confirmCurrentPassword(
				admin.id,
				admin.username,
				currentPassword,
				meta.ip
			);
			if (!reauth.ok)
				return setError(form, 'currentPassword', reauth.message, { status: reauth.status });
		}
		await saveSiteEmails(next, { actor: admin.username, ip: meta.ip, siteUrl: event.url.origin });
		redirect(303, `/admin/site?saved=emails${keepEnabling(event.url)}#emails`);
	},

	recipients: async (event) => {
		const admin = event.locals.admin!;
		const form = await superValidate(event.request, zod4(defaultRecipientsSchema), {
			id: 'recipients'
		});
		if (!form.valid) return fail(400, { recipientsForm: form });
		const parsed = parseRecipientList(form.data.defaultRecipients);
		if (!parsed.ok) return setError(form, 'defaultRecipients', parsed.error);
		await saveDefaultRecipients(parsed.recipients, {
			actor: admin.username,
			ip: clientMeta(event).ip
		});
		redirect(303, `/admin/site?saved=recipients${keepEnabling(event.url)}#recipients`);
	},

	smtpSave: async (event) => {
		const admin = event.locals.admin!;
		const settings = await getSiteSettings();
		return saveServer(event, settings.smtpServerId, {
			forceName: SITE_SERVER_NAME,
			fixMicrosoftEndpoint: true,
			// The site's mail carries password-reset links: sending it through another server or account (a
			// hijacked session's favourite move) needs the admin's password, as changing an e-mail address does.
			beforeSave: async (form, data) => {
				if (!settings.smtpServerId) return null;
				const changed = await findChangedServerDestination(settings.smtpServerId, form);
				if (!changed?.length) return null;
				const password = String(data.get('currentPassword') ?? '');
				if (!password)
					return {
						status: 400,
						message: "Enter your current password: this changes where the site's e-mail goes."
					};
				const reauth = await confirmCurrentPassword(
					admin.id,
					admin.username,
					password,
					clientMeta(event).ip
				);
				return reauth.ok ? null : { status: reauth.status, message: reauth.message };
			},
			afterSave: async (server) => {
				if (server.id !== settings.smtpServerId)
					await updateSiteSettings(
						{ smtpServerId: server.id, siteUrl: event.url.origin },
						{
							actor: admin.username,
							ip: clientMeta(event).ip,
							what: 'smtp method',
							detail: { server: server.name }
						}
					);
				return `/admin/site?saved=smtp${keepEnabling(event.url)}#smtp`;
			}
		});
	},

	smtpTest: async (event) => {
		const admin = event.locals.admin!;
		const settings = await getSiteSettings();
		return testServer(event, settings.smtpServerId, {
			forceName: SITE_SERVER_NAME,
			fixMicrosoftEndpoint: true,
			afterTest: async (result) => {
				// A passing test of the saved site server ends the "saved without testing" record. The form may
				// hold other, unsaved settings: only a pass recorded as the saved server's last test counts.
				const saved =
					result.ok && settings.smtpServerId && settings.untestedSince ? await siteServer() : null;
				if (saved?.lastTest?.ok)
					await updateSiteSettings(
						{ untestedSince: null },
						{ actor: admin.username, ip: clientMeta(event).ip, what: 'smtp test passed' }
					);
			}
		});
	},

	smtpOn: async (event) => {
		const admin = event.locals.admin!;
		const data = await event.request.formData();
		const withoutTest = data.get('withoutTest') === 'on';
		const settings = await getSiteSettings();
		const server = await siteServer();
		const emails = await getSiteEmails();
		const back = '/admin/site?enable=1';
		if (!server)
			return fail(400, {
				switchError: 'Save the SMTP method first (server, sender, authentication).',
				back
			});
		if (!emails.adminEmail || !emails.supportEmail || !emails.alertEmail)
			return fail(400, {
				switchError:
					'Enter the UI Admin, UI Primary Customer Support and Admiral Alert e-mails first.',
				back
			});
		const tested = server.lastTest?.ok === true;
		if (!tested && !withoutTest)
			return fail(400, {
				switchError:
					'The saved SMTP method has not passed a configuration test. Run the test, or switch on without testing.',
				back
			});
		await updateSiteSettings(
			{ smtpEnabled: true, untestedSince: tested ? null : new Date(), siteUrl: event.url.origin },
			{
				actor: admin.username,
				ip: clientMeta(event).ip,
				what: 'smtp switch',
				detail: { enabled: true, tested, previous: settings.smtpEnabled }
			}
		);
		redirect(303, '/admin/site?saved=on');
	},

	smtpOff: async (event) => {
		const admin = event.locals.admin!;
		await updateSiteSettings(
			{ smtpEnabled: false, untestedSince: null },
			{
				actor: admin.username,
				ip: clientMeta(event).ip,
				what: 'smtp switch',
				detail: { enabled: false }
			}
		);
		redirect(303, '/admin/site?saved=off');
	},

	codes: async (event) => {
		const admin = event.locals.admin!;
		const form = await superValidate(event.request, zod4(regenerateCodesSchema), { id: 'codes' });
		const { currentPassword } = form.data;
		form.data.currentPassword = '';
		if (!form.valid) return fail(400, { codesForm: form });
		const ip = clientMeta(event).ip;
		const reauth = await confirmCurrentPassword(admin.id, admin.username, currentPassword, ip);
		if (!reauth.ok)
			return setError(form, 'currentPassword', reauth.message, { status: reauth.status });
		const codes = await regenerateOwnRecoveryCodes({
			adminId: admin.id,
			username: admin.username,
			ip
		});
		return { codesForm: form, codes };
	}
};
