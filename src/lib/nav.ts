/** The console's sections. A section is listed here only once its page exists (no dead links). */
export const consoleNav = [
	{ href: '/admin', label: 'Overview', icon: 'overview' },
	{ href: '/admin/site', label: 'Site settings', icon: 'site' },
	{ href: '/admin/smtp-servers', label: 'SMTP servers', icon: 'smtp' },
	{ href: '/admin/otp-generators', label: 'OTP generators', icon: 'otp' },
	{ href: '/admin/domains', label: 'Identity providers', icon: 'domains' },
	{ href: '/admin/users', label: 'Users', icon: 'users' },
	{ href: '/admin/applications', label: 'Applications', icon: 'applications' },
	{ href: '/admin/mail-log', label: 'Mail log', icon: 'mail' },
	{ href: '/admin/audit', label: 'Audit log', icon: 'audit' },
	{ href: '/admin/account', label: 'Account', icon: 'account' }
] as const;
