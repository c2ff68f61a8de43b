/**
 * Where the Microsoft 365 method gets its tokens, per national cloud: the identity platform's login host and
 * the Exchange Online scope of the client-credentials grant. One table for the server (microsoft.ts asks
 * there) and the editor (which shows the token endpoint and scope read-only), so what the admin reads is what
 * Postern uses. No server-only imports: the browser bundles this module.
 */
import type { MicrosoftCloud } from './schemas/smtp-server.js';

export const MICROSOFT_TOKEN_CLOUDS: Record<
	MicrosoftCloud,
	{ authorityHost: string; scope: string }
> = {
	global: {
		authorityHost: 'login.microsoftonline.com',
		scope: 'https://outlook.office365.com/.default'
	},
	usgov: {
		authorityHost: 'login.microsoftonline.us',
		scope: 'https://outlook.office365.us/.default'
	},
	usgovdod: {
		authorityHost: 'login.microsoftonline.us',
		scope: 'https://outlook-dod.office365.us/.default'
	},
	china: { authorityHost: 'login.chinacloudapi.cn', scope: 'https://partner.outlook.cn/.default' }
};

/**
 * Microsoft Graph per national cloud: the host `sendMail` is posted to and the scope of the client-credentials
 * request (the app needs the Mail.Send application permission, which RBAC for Applications can narrow to the
 * sending mailbox).
 */
export const MICROSOFT_GRAPH_CLOUDS: Record<MicrosoftCloud, { host: string; scope: string }> = {
	global: { host: 'graph.microsoft.com', scope: 'https://graph.microsoft.com/.default' },
	usgov: { host: 'graph.microsoft.us', scope: 'https://graph.microsoft.us/.default' },
	usgovdod: { host: 'dod-graph.microsoft.us', scope: 'https://dod-graph.microsoft.us/.default' },
	china: {
		host: 'microsoftgraph.chinacloudapi.cn',
		scope: 'https://microsoftgraph.chinacloudapi.cn/.default'
	}
};

const TENANT_PLACEHOLDER = '<tenant-id>';

/** `https://<login host>/<tenant>`: the authority of the tenant (trimmed, as the form's schema stores it). */
export function buildAuthorityUrl(cloud: MicrosoftCloud, tenantId: string): string {
	return `https://${MICROSOFT_TOKEN_CLOUDS[cloud].authorityHost}/${encodeURIComponent(tenantId.trim())}`;
}

/**
 * The token endpoint and scope of the client-credentials request for `tenantId` in `cloud`; while no tenant is
 * typed, the endpoint shows where it goes with a `<tenant-id>` placeholder.
 */
export function describeTokenRequest(
	cloud: MicrosoftCloud,
	tenantId: string,
	/** Exchange Online (SMTP XOAUTH2) or Microsoft Graph (sendMail). */
	resource: 'exchange' | 'graph' = 'exchange'
): { tokenEndpoint: string; scope: string } {
	const authority = tenantId.trim()
		? buildAuthorityUrl(cloud, tenantId)
		: `https://${MICROSOFT_TOKEN_CLOUDS[cloud].authorityHost}/${TENANT_PLACEHOLDER}`;
	return {
		tokenEndpoint: `${authority}/oauth2/v2.0/token`,
		scope:
			resource === 'graph'
				? MICROSOFT_GRAPH_CLOUDS[cloud].scope
				: MICROSOFT_TOKEN_CLOUDS[cloud].scope
	};
}
