/**
 * The console's sections, grouped as the vendor's admin guide groups them, so an admin who follows it finds
 * each screen where it says: "Configurations" (SMTP servers, the alert connector), "Access Policies" (OTP Token Generators,
 * Notifications profiles), "Identity Providers" (identity providers and their users). A section is listed
 * only once its page exists (no dead links).
 */
export interface NavItem {
	href: string;
	label: string;
	icon: string;
}

export interface NavGroup {
	/** Null: the items stand on their own, without a heading. */
	label: string | null;
	items: NavItem[];
}

export const consoleNav: NavGroup[] = [
	{ label: null, items: [{ href: '/admin', label: 'Overview', icon: 'overview' }] },
	{
		label: 'Configurations',
		items: [
			{ href: '/admin/site', label: 'Site settings', icon: 'site' },
			{ href: '/admin/smtp-servers', label: 'SMTP servers', icon: 'smtp' },
			{ href: '/admin/alerts', label: 'Alerts', icon: 'alerts' }
		]
	},
	{
		label: 'Access Policies',
		items: [
			{
				href: '/admin/notification-profiles',
				label: 'Notifications profiles',
				icon: 'notifications'
			},
			{ href: '/admin/otp-generators', label: 'OTP Token Generators', icon: 'otp' }
		]
	},
	{
		label: 'Identity Providers',
		items: [
			{ href: '/admin/domains', label: 'Identity providers', icon: 'domains' },
			{ href: '/admin/users', label: 'Users', icon: 'users' }
		]
	},
	{
		label: 'Portal',
		items: [{ href: '/admin/applications', label: 'Applications', icon: 'applications' }]
	},
	{
		label: 'Logs',
		items: [
			{ href: '/admin/mail-log', label: 'Mail log', icon: 'mail' },
			{ href: '/admin/audit', label: 'Audit log', icon: 'audit' }
		]
	},
	{ label: null, items: [{ href: '/admin/account', label: 'Account', icon: 'account' }] }
];
