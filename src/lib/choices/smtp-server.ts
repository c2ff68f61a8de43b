/**
 * The SMTP server form's choices, labels, ports and limits: plain values, shared by the browser and the server
 * without the form's schema (schemas/smtp-server.ts), so a page that only shows them ships no validator.
 */
export const SECURITY_CHOICES = ['none', 'starttls', 'tls'] as const;
export const AUTH_CHOICES = ['none', 'basic', 'microsoft', 'graph'] as const;
/** The choices that sign in as a Microsoft Entra ID application (tenant, client, secret, mailbox, cloud). */
export const MICROSOFT_APP_AUTHS = ['microsoft', 'graph'] as const;

/** Whether `auth` signs in as a Microsoft Entra ID application: SMTP with XOAUTH2, or Graph sendMail. */
export function usesMicrosoftApp(auth: string): auth is (typeof MICROSOFT_APP_AUTHS)[number] {
	return (MICROSOFT_APP_AUTHS as readonly string[]).includes(auth);
}
export const CLOUD_CHOICES = ['global', 'usgov', 'usgovdod', 'china'] as const;

/** Labels as the vendor's documents name them, for selects and summaries. */
export const SECURITY_LABELS: Record<(typeof SECURITY_CHOICES)[number], string> = {
	none: 'Unsecured',
	starttls: 'STARTTLS',
	tls: 'SSL/TLS'
};
export const AUTH_LABELS: Record<(typeof AUTH_CHOICES)[number], string> = {
	none: 'None',
	basic: 'Username and password',
	microsoft: 'Microsoft 365 OAuth2',
	graph: 'Microsoft Graph (sendMail, no SMTP)'
};
export const CLOUD_LABELS: Record<(typeof CLOUD_CHOICES)[number], string> = {
	global: 'Global (login.microsoftonline.com)',
	usgov: 'US Government GCC High (login.microsoftonline.us)',
	usgovdod: 'US Government DoD (login.microsoftonline.us)',
	china: 'China, operated by 21Vianet (login.chinacloudapi.cn)'
};
/** Exchange Online's SMTP submission host in each cloud (port 587, STARTTLS everywhere). */
export const MICROSOFT_SMTP_HOSTS: Record<(typeof CLOUD_CHOICES)[number], string> = {
	global: 'smtp.office365.com',
	usgov: 'smtp.office365.us',
	usgovdod: 'outlook-dod.office365.us',
	china: 'smtp.partner.outlook.cn'
};
/** The port each connection type suggests, until the admin edits the port. */
export const DEFAULT_PORTS: Record<(typeof SECURITY_CHOICES)[number], number> = {
	none: 25,
	starttls: 587,
	tls: 465
};
/** What "Microsoft 365 OAuth2" presets: Exchange Online's endpoint, smtp.office365.com, 587, STARTTLS. */
export const MICROSOFT_PRESET = {
	host: 'smtp.office365.com',
	port: 587,
	security: 'starttls'
} as const;

export const LIMIT_MAXIMA = {
	maxConnections: 50,
	messagesPerMinute: 100_000,
	recipientsPerDay: 10_000_000
} as const;

/**
 * Microsoft Graph is reached over HTTPS, not SMTP: a Graph server's host is its cloud's Graph host
 * (microsoft-endpoints.ts), on 443 with TLS, set by the server from the chosen cloud.
 */
export const GRAPH_PRESET = { port: 443, security: 'tls' } as const;
