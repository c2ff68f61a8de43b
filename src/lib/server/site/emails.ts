/** Site Config with SMTP on: the UI Admin, UI Primary Customer Support and Admiral Alert e-mails. */
import { eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { getSiteAccounts, getSiteSettings, updateSiteSettings } from './settings.js';

export interface SiteEmails {
	adminEmail: string;
	supportEmail: string;
	alertEmail: string;
}

export async function getSiteEmails(): Promise<SiteEmails> {
	const settings = await getSiteSettings();
	const { admin, support } = await getSiteAccounts(settings);
	return {
		adminEmail: admin?.email ?? '',
		supportEmail: support?.email ?? '',
		alertEmail: settings.alertEmail ?? ''
	};
}

/** Which of the e-mails would change (compared lower-cased, as they are stored). */
export async function changedSiteEmails(next: SiteEmails): Promise<(keyof SiteEmails)[]> {
	const current = await getSiteEmails();
	return (Object.keys(next) as (keyof SiteEmails)[]).filter(
		(k) => current[k].toLowerCase() !== next[k].toLowerCase()
	);
}

export async function saveSiteEmails(
	next: SiteEmails,
	audit: { actor: string; ip?: string; siteUrl?: string }
) {
	const lower = {
		adminEmail: next.adminEmail.toLowerCase(),
		supportEmail: next.supportEmail.toLowerCase(),
		alertEmail: next.alertEmail.toLowerCase()
	};
	const changed = await changedSiteEmails(lower);
	const settings = await getSiteSettings();
	const { admin, support } = await getSiteAccounts(settings);
	if (admin)
		await db()
			.update(tables.admins)
			.set({ email: lower.adminEmail })
			.where(eq(tables.admins.id, admin.id));
	if (support)
		await db()
			.update(tables.admins)
			.set({ email: lower.supportEmail })
			.where(eq(tables.admins.id, support.id));
	await updateSiteSettings(
		{
			alertEmail: lower.alertEmail,
			uiAdminId: admin?.id ?? null,
			uiSupportId: support?.id ?? null,
			siteUrl: audit.siteUrl
		},
		{ actor: audit.actor, ip: audit.ip, what: 'e-mails', detail: { changed, ...lower } }
	);
	return changed;
}

export async function saveDefaultRecipients(
	recipients: string[],
	audit: { actor: string; ip?: string }
) {
	const before = (await getSiteSettings()).defaultRecipients;
	await updateSiteSettings(
		{ defaultRecipients: recipients },
		{
			actor: audit.actor,
			ip: audit.ip,
			what: 'default recipients',
			detail: {
				added: recipients.filter((r) => !before.includes(r)),
				removed: before.filter((r) => !recipients.includes(r))
			}
		}
	);
}
