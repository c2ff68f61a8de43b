/**
 * The site settings' SMTP method: the SMTP server form of /admin/smtp-servers (smtp-editor.ts) for the
 * one server record the site's own mail goes through. That record always has the site's name (the form has no
 * name field), and Microsoft Modern Authentication always goes to the cloud's Exchange Online host, port 587,
 * STARTTLS, whatever was posted (the page shows those fields read-only). Once the site sends through a server,
 * sending its mail elsewhere needs the admin's password; a new record becomes the site's when saved; a passing
 * test of the saved server ends the "switched on without testing" warning.
 */
import { redirect, type RequestEvent } from '@sveltejs/kit';
import { MICROSOFT_PRESET, MICROSOFT_SMTP_HOSTS } from '../../schemas/smtp-server.js';
import {
	loadServerEditor,
	readServerForm,
	refuseServerForm,
	storeServerForm,
	storedForForm,
	testServerForm
} from '../smtp-editor.js';
import {
	SITE_SERVER_NAME,
	adoptSiteServer,
	confirmSiteServerChange,
	settleSiteServerTest
} from './changes.js';
import { keepEnabling, siteActor } from './request.js';
import { getSiteSettings } from './settings.js';

/** The site's SMTP method as the page shows it: the editor's form, and a summary of the saved server. */
export async function loadSiteServerEditor(serverId: string | null, adminEmail: string | null) {
	const { server, form, testTo } = await loadServerEditor(serverId, adminEmail);
	if (!server) form.data.name = SITE_SERVER_NAME;
	return {
		form,
		testTo,
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
	};
}

/** The site's name, and for Microsoft the cloud's fixed endpoint, in place of whatever was posted. */
function readSiteServerForm(data: FormData) {
	data.set('name', SITE_SERVER_NAME);
	if (data.get('auth') === 'microsoft') {
		const cloud = String(data.get('cloud') ?? 'global');
		data.set(
			'host',
			MICROSOFT_SMTP_HOSTS[cloud as keyof typeof MICROSOFT_SMTP_HOSTS] ?? MICROSOFT_PRESET.host
		);
		data.set('port', String(MICROSOFT_PRESET.port));
		data.set('security', MICROSOFT_PRESET.security);
	}
	return readServerForm(data);
}

/** Save the site's SMTP method; back to its section of the page on success. */
export async function saveSiteServer(event: RequestEvent) {
	const settings = await getSiteSettings();
	const actor = siteActor(event);
	const data = await event.request.formData();
	const form = await readSiteServerForm(data);
	if (!form.valid) return refuseServerForm(form, 400);
	const confirmed = await confirmSiteServerChange(
		form.data,
		String(data.get('currentPassword') ?? ''),
		actor
	);
	if (!confirmed.ok)
		return refuseServerForm(form, confirmed.status, { reauthError: confirmed.message });
	const stored = await storeServerForm(event, settings.smtpServerId, form);
	if (!stored.ok) return stored.failure;
	await adoptSiteServer(stored.server, actor, event.url.origin);
	redirect(303, `/admin/site?saved=smtp${keepEnabling(event.url)}#smtp`);
}

/** Configuration test of the site's SMTP method as it stands, saved or not. */
export async function testSiteServer(event: RequestEvent) {
	const settings = await getSiteSettings();
	const data = await event.request.formData();
	const outcome = await testServerForm(
		event,
		settings.smtpServerId,
		await readSiteServerForm(data),
		data
	);
	if ('testResult' in outcome) await settleSiteServerTest(outcome.testResult.ok, siteActor(event));
	return outcome;
}
