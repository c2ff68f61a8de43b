/**
 * Site Config with SMTP off: the UI Admin and UI Primary Customer Support usernames and passwords. Entering a
 * username that does not exist creates that account; an existing one of the right role becomes the designated
 * account. A blank password keeps the current one; a new password ends every session of that account
 * (setAdminPassword), except the acting admin's own current one.
 */
import { db, tables } from '../db/index.js';
import { findAdminByUsername, setAdminPassword } from '../auth/admins.js';
import { hashPassword } from '../auth/password.js';
import { recordAudit } from '../audit.js';
import { getSiteAccounts, getSiteSettings, updateSiteSettings } from './settings.js';

export interface SiteAccountsInput {
	adminUsername: string;
	adminPassword: string;
	supportUsername: string;
	supportPassword: string;
}

export type SiteAccountsResult =
	| { ok: true; created: string[]; passwordsChanged: string[] }
	| {
			ok: false;
			field: 'adminUsername' | 'supportUsername' | 'adminPassword' | 'supportPassword';
			message: string;
	  };

type Role = 'admin' | 'support';

type Resolved =
	| { error: { field: Extract<SiteAccountsResult, { ok: false }>['field']; message: string } }
	| {
			existing: Awaited<ReturnType<typeof findAdminByUsername>>;
			username: string;
			password: string;
	  };

async function resolve(role: Role, username: string, password: string): Promise<Resolved> {
	const existing = await findAdminByUsername(username);
	const usernameField = role === 'admin' ? 'adminUsername' : 'supportUsername';
	const passwordField = role === 'admin' ? 'adminPassword' : 'supportPassword';
	if (existing && existing.role !== role)
		return {
			error: {
				field: usernameField,
				message: `${existing.username} is the ${existing.role === 'admin' ? 'UI Admin' : 'support'} account; choose another username.`
			}
		};
	if (!existing && !password)
		return { error: { field: passwordField, message: 'A new account needs a password.' } };
	return { existing, username, password };
}

export async function updateSiteAccounts(
	input: SiteAccountsInput,
	audit: {
		actor: string;
		ip?: string;
		/** The acting admin's session token (locals.sessionToken): kept when they change their own password. */
		sessionToken?: string | null;
	}
): Promise<SiteAccountsResult> {
	const admin = await resolve('admin', input.adminUsername, input.adminPassword);
	if ('error' in admin) return { ok: false, ...admin.error };
	const support = await resolve('support', input.supportUsername, input.supportPassword);
	if ('error' in support) return { ok: false, ...support.error };

	const created: string[] = [];
	const passwordsChanged: string[] = [];
	const ids: Record<Role, string> = { admin: '', support: '' };
	for (const [role, r] of [
		['admin', admin],
		['support', support]
	] as const) {
		if (r.existing) {
			ids[role] = r.existing.id;
			if (r.password) {
				// Sessions signed in with the old password end; only a token of this very account is spared.
				await setAdminPassword(r.existing.id, r.password, { keepSessionToken: audit.sessionToken });
				passwordsChanged.push(r.existing.username);
			}
		} else {
			const [row] = await db()
				.insert(tables.admins)
				.values({ username: r.username, role, passwordHash: await hashPassword(r.password) })
				.returning({ id: tables.admins.id });
			ids[role] = row.id;
			created.push(r.username);
			await recordAudit({
				actor: audit.actor,
				action: 'site.admin_created',
				ip: audit.ip,
				detail: { username: r.username, role }
			});
		}
	}
	const before = await getSiteAccounts(await getSiteSettings());
	await updateSiteSettings(
		{ uiAdminId: ids.admin, uiSupportId: ids.support },
		{
			actor: audit.actor,
			ip: audit.ip,
			what: 'accounts',
			detail: {
				uiAdmin: input.adminUsername,
				uiSupport: input.supportUsername,
				previousUiAdmin: before.admin?.username,
				previousUiSupport: before.support?.username,
				created,
				renewedLoginFor: passwordsChanged,
				// Every other session of those accounts was ended with the change.
				sessionsEndedFor: passwordsChanged
			}
		}
	);
	return { ok: true, created, passwordsChanged };
}
