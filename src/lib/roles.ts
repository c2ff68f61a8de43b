/**
 * The two console roles and what each may do: the one table the server enforces (auth/access.ts, for every
 * console request, where the route is known) and the pages read to hide what a role cannot do.
 *
 * The UI Admin may do everything. The UI Primary Customer Support account may read the whole console, run
 * configuration and connection tests, resend mail, look after its own account and help end users (unlock,
 * enable or disable them, reset their authenticator app: the user still needs their password to enrol again).
 * It may not change either console account (names, passwords, e-mails: the admin's e-mail receives reset
 * links), the site's mail route (the server and sender that carry reset links and alerts), other recovery
 * codes than its own, the configuration of servers, generators, domains, users or applications, and it may
 * delete nothing.
 */

export type Role = 'admin' | 'support';

export const PERMISSIONS = [
	/** Open any console page and its data. */
	'read',
	/** Run a configuration test, an LDAP connection test or a sample code (nothing is saved). */
	'test',
	/** Resend a message from the mail log. */
	'resend',
	/** Change one's own password and recovery codes, sign out. */
	'own-account',
	/** Enable or disable an end user, reset their authenticator app. */
	'help-users',
	/** Create and edit SMTP servers, OTP generators, notification profiles, domains, users and applications. */
	'configure',
	/** Delete anything. */
	'delete',
	/** Change the console accounts: names, passwords and e-mails (the admin's e-mail receives reset links). */
	'accounts',
	/** Change where the site's mail goes: SMTP on or off, its server, sender and default recipients. */
	'site-mail'
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
	admin: new Set(PERMISSIONS),
	support: new Set<Permission>(['read', 'test', 'resend', 'own-account', 'help-users'])
};

export const ROLE_LABELS: Record<Role, string> = {
	admin: 'UI Admin',
	support: 'UI Primary Customer Support'
};

export function can(role: Role, permission: Permission): boolean {
	return ROLE_PERMISSIONS[role].has(permission);
}

/** Every permission of a role, for the pages (a plain object survives serialization). */
export function permissionsOf(role: Role): Record<Permission, boolean> {
	return Object.fromEntries(PERMISSIONS.map((p) => [p, can(role, p)])) as Record<
		Permission,
		boolean
	>;
}

/**
 * What each console form action needs, by route id and action name. An action missing here is refused to
 * every role but the admin's: a new action is closed to support until it is classified (a test lists every
 * action in src/routes and fails on one that is missing).
 */
export const ACTION_PERMISSIONS: Record<string, Record<string, Permission>> = {
	'/admin/logout': { default: 'own-account' },
	'/admin/account': { password: 'own-account', codes: 'own-account' },
	'/admin/site': {
		accounts: 'accounts',
		emails: 'accounts',
		// the acting account's own codes (the page says "replaces your old codes")
		codes: 'own-account',
		recipients: 'site-mail',
		smtpSave: 'site-mail',
		smtpOn: 'site-mail',
		smtpOff: 'site-mail',
		smtpTest: 'test',
		timeZone: 'configure'
	},
	'/admin/smtp-servers': { delete: 'delete' },
	'/admin/smtp-servers/new': { save: 'configure', test: 'test' },
	'/admin/smtp-servers/[id]': { save: 'configure', test: 'test' },
	'/admin/otp-generators': { delete: 'delete' },
	'/admin/otp-generators/new': { save: 'configure', test: 'test' },
	'/admin/otp-generators/[id]': { save: 'configure', test: 'test' },
	'/admin/domains': { delete: 'delete' },
	'/admin/domains/new': { save: 'configure', test: 'test' },
	'/admin/domains/[id]': { save: 'configure', test: 'test' },
	'/admin/applications': { delete: 'delete' },
	'/admin/applications/new': { save: 'configure' },
	'/admin/applications/[id]': { save: 'configure' },
	'/admin/notification-profiles': { setEnabled: 'configure', delete: 'delete' },
	// moving between the steps and previewing change nothing: anyone who may read the page may do them
	'/admin/notification-profiles/new': {
		next: 'read',
		back: 'read',
		addRecipient: 'read',
		removeRecipient: 'read',
		preview: 'read',
		save: 'configure',
		test: 'test'
	},
	'/admin/notification-profiles/[id]': {
		next: 'read',
		back: 'read',
		addRecipient: 'read',
		removeRecipient: 'read',
		preview: 'read',
		save: 'configure',
		test: 'test'
	},
	'/admin/mail-log': { resend: 'resend' },
	'/admin/alerts': { rule: 'configure', timings: 'configure', test: 'test', checkNow: 'test' },
	'/admin/users': {
		setDisabled: 'help-users',
		resetTotp: 'help-users',
		resetUserTotp: 'help-users'
	},
	'/admin/users/new': { default: 'configure' },
	'/admin/users/[id]': {
		save: 'configure',
		password: 'configure',
		resetTotp: 'help-users',
		delete: 'delete'
	}
};

/** The permission a form action needs; `configure` for one nobody classified yet (admin only). */
export function actionPermission(routeId: string, action: string): Permission {
	const actions = Object.hasOwn(ACTION_PERMISSIONS, routeId) ? ACTION_PERMISSIONS[routeId] : {};
	return Object.hasOwn(actions, action) ? actions[action] : 'configure';
}
