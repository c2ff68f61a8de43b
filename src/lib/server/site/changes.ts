/**
 * The site settings' rules, one function per section of /admin/site: what must hold before a change is made,
 * and who must confirm it. Changes that move where the site's mail goes (an e-mail address, the SMTP server
 * or account) ask for the acting admin's password again: the site's mail carries password-reset links, and a
 * hijacked session must not be able to redirect them.
 */
import { findPasswordProblem } from '../password-rules.js';
import { parseRecipientList } from '../../recipients.js';
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import { confirmCurrentPassword } from '../auth/account.js';
import { findChangedServerDestination, getSmtpServer } from '../mail/servers.js';
import type { SmtpServerView } from '../mail/types.js';
import { updateSiteAccounts, type SiteAccountsInput } from './accounts.js';
import {
	changedSiteEmails,
	getSiteEmails,
	saveDefaultRecipients,
	saveSiteEmails,
	type SiteEmails
} from './emails.js';
import { getSiteSettings, updateSiteSettings } from './settings.js';

/** The acting admin, as the console knows them. */
export interface Actor {
	adminId: string;
	username: string;
	ip?: string;
	/** Kept signed in when they change their own password. */
	sessionToken?: string | null;
}

export type Refusal = { ok: false; status: 400 | 409 | 429; message: string; field?: string };
export type Outcome = { ok: true } | Refusal;

/** The name of the SMTP server record the site's own mail goes through. */
export const SITE_SERVER_NAME = 'Site e-mail (Site settings)';

export async function findSiteServer(): Promise<SmtpServerView | null> {
	const settings = await getSiteSettings();
	return settings.smtpServerId ? await getSmtpServer(settings.smtpServerId) : null;
}

async function confirm(
	actor: Actor,
	password: string,
	field = 'currentPassword'
): Promise<Outcome> {
	const reauth = await confirmCurrentPassword(actor.adminId, actor.username, password, actor.ip);
	return reauth.ok ? reauth : { ...reauth, field };
}

/**
 * The two console accounts. Their usernames change only while SMTP configuration is off (with it on, the
 * accounts are known by their e-mails and reset links go there); every change asks for the password again.
 */
export async function changeSiteAccounts(
	input: SiteAccountsInput,
	currentPassword: string,
	actor: Actor
): Promise<Outcome> {
	if ((await getSiteSettings()).smtpEnabled)
		return {
			ok: false,
			status: 409,
			message: 'Switch SMTP configuration off to change the usernames.'
		};
	const reauth = await confirm(actor, currentPassword);
	if (!reauth.ok) return reauth;
	for (const [field, password, username] of [
		['adminPassword', input.adminPassword, input.adminUsername],
		['supportPassword', input.supportPassword, input.supportUsername]
	] as const) {
		const problem = password ? await findPasswordProblem(password, username) : null;
		if (problem) return { ok: false, status: 400, field, message: problem };
	}
	const result = await updateSiteAccounts(input, {
		actor: actor.username,
		ip: actor.ip,
		sessionToken: actor.sessionToken
	});
	return result.ok
		? { ok: true }
		: { ok: false, status: 400, field: result.field, message: result.message };
}

/** The three e-mails. Changing one (where mail and reset links go) asks for the password again. */
export async function changeSiteEmails(
	next: SiteEmails,
	currentPassword: string,
	actor: Actor,
	siteUrl: string
): Promise<Outcome> {
	if ((await changedSiteEmails(next)).length > 0) {
		if (!currentPassword)
			return {
				ok: false,
				status: 400,
				field: 'currentPassword',
				message: 'Enter your password to change an e-mail address.'
			};
		const reauth = await confirm(actor, currentPassword);
		if (!reauth.ok) return reauth;
	}
	await saveSiteEmails(next, { actor: actor.username, ip: actor.ip, siteUrl });
	return { ok: true };
}

/** Default Recipients, as typed: every address checked, the list saved lower-cased and without repeats. */
export async function changeDefaultRecipients(typed: string, actor: Actor): Promise<Outcome> {
	const parsed = parseRecipientList(typed);
	if (!parsed.ok)
		return { ok: false, status: 400, field: 'defaultRecipients', message: parsed.error };
	await saveDefaultRecipients(parsed.recipients, { actor: actor.username, ip: actor.ip });
	return { ok: true };
}

/** The zone in which mail states times (a launch notification's "time"). */
export async function changeSiteTimeZone(timeZone: string, actor: Actor): Promise<Outcome> {
	const before = (await getSiteSettings()).timeZone;
	if (before === timeZone) return { ok: true };
	await updateSiteSettings(
		{ timeZone },
		{
			actor: actor.username,
			ip: actor.ip,
			what: 'time zone',
			detail: { from: before, to: timeZone }
		}
	);
	return { ok: true };
}

/**
 * Before the site's SMTP server is saved: once the site sends through a server, sending its mail through
 * another host, account or sender needs the admin's password.
 */
export async function confirmSiteServerChange(
	form: SmtpServerForm,
	currentPassword: string,
	actor: Actor
): Promise<Outcome> {
	const settings = await getSiteSettings();
	if (!settings.smtpServerId) return { ok: true };
	const changed = await findChangedServerDestination(settings.smtpServerId, form);
	if (!changed?.length) return { ok: true };
	if (!currentPassword)
		return {
			ok: false,
			status: 400,
			message: "Enter your current password: this changes where the site's e-mail goes."
		};
	return confirm(actor, currentPassword);
}

/** After it is saved: a new server record becomes the site's. */
export async function adoptSiteServer(
	server: { id: string; name: string },
	actor: Actor,
	siteUrl: string
) {
	const settings = await getSiteSettings();
	if (server.id === settings.smtpServerId) return;
	await updateSiteSettings(
		{ smtpServerId: server.id, siteUrl },
		{ actor: actor.username, ip: actor.ip, what: 'smtp method', detail: { server: server.name } }
	);
}

/**
 * After a configuration test: a pass recorded as the saved site server's last test ends the "switched on
 * without testing" record. (The form may hold other, unsaved settings: those prove nothing.)
 */
export async function settleSiteServerTest(passed: boolean, actor: Actor) {
	const settings = await getSiteSettings();
	if (!passed || !settings.smtpServerId || !settings.untestedSince) return;
	const saved = await findSiteServer();
	if (saved?.lastTest?.ok)
		await updateSiteSettings(
			{ untestedSince: null },
			{ actor: actor.username, ip: actor.ip, what: 'smtp test passed' }
		);
}

/**
 * Switching the site's SMTP configuration on: a saved server and the three e-mails first, and a passed
 * configuration test unless the admin chose to switch on without one (then the page keeps warning).
 */
export async function switchSiteSmtpOn(
	withoutTest: boolean,
	actor: Actor,
	siteUrl: string
): Promise<Outcome> {
	const settings = await getSiteSettings();
	const server = await findSiteServer();
	const emails = await getSiteEmails();
	if (!server)
		return {
			ok: false,
			status: 400,
			message: 'Save the SMTP method first (server, sender, authentication).'
		};
	if (!emails.adminEmail || !emails.supportEmail || !emails.alertEmail)
		return {
			ok: false,
			status: 400,
			message: 'Enter the UI Admin, UI Primary Customer Support and Admiral Alert e-mails first.'
		};
	const tested = server.lastTest?.ok === true;
	if (!tested && !withoutTest)
		return {
			ok: false,
			status: 400,
			message:
				'The saved SMTP method has not passed a configuration test. Run the test, or switch on without testing.'
		};
	await updateSiteSettings(
		{ smtpEnabled: true, untestedSince: tested ? null : new Date(), siteUrl },
		{
			actor: actor.username,
			ip: actor.ip,
			what: 'smtp switch',
			detail: { enabled: true, tested, previous: settings.smtpEnabled }
		}
	);
	return { ok: true };
}

export async function switchSiteSmtpOff(actor: Actor) {
	await updateSiteSettings(
		{ smtpEnabled: false, untestedSince: null },
		{ actor: actor.username, ip: actor.ip, what: 'smtp switch', detail: { enabled: false } }
	);
}
