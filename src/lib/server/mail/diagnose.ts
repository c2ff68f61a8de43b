/**
 * What went wrong, in words an admin can act on. ONE table (RULES), keyed only by codes: Node and nodemailer
 * error codes, SMTP reply codes, enhanced status codes (RFC 3463), AADSTS numbers and msal error codes, plus
 * which step failed and how the server is configured. Never by message text: servers word things differently
 * and translate them; codes are what they promise.
 *
 * The first rule whose every condition matches wins, so specific rules come before general ones. Each rule
 * gives a title, an explanation, the fix, and for Microsoft 365 the PowerShell an Exchange admin runs, filled in
 * with the server's values where Postern knows them.
 */
import type { NodemailerError } from 'nodemailer/lib/errors';
import { getCloudEndpoints, SEND_AS_APP_ROLE } from './microsoft.js';
import type {
	Diagnosis,
	DiagnosisPhase,
	MicrosoftCloud,
	SmtpAuthKind,
	SmtpSecurity,
	SmtpServerView,
	StepId
} from './types.js';

const SERVICE_PRINCIPAL_OBJECT_ID = '<Enterprise application Object ID>';
const CERTIFICATE_UNTRUSTED = [
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'CERT_UNTRUSTED',
	'CERT_SIGNATURE_FAILURE',
	'CERT_CHAIN_TOO_LONG',
	'INVALID_CA'
];
/** What OpenSSL says when the other side does not speak TLS at all. */
const NOT_TLS = [
	'ERR_SSL_WRONG_VERSION_NUMBER',
	'ERR_SSL_PACKET_LENGTH_TOO_LONG',
	'ERR_SSL_HTTP_REQUEST',
	'ERR_SSL_RECORD_LENGTH_MISMATCH',
	'ERR_SSL_UNEXPECTED_EOF_WHILE_READING'
];

/** The table. Conditions in `when` are ANDed; a list matches any of its values. */
const RULES: DiagnosisRule[] = [
	// --- After the whole message: first, whatever the code (a drop and a timeout leave the same doubt) ---
	{
		id: 'delivery-unknown',
		phase: 'send',
		when: { steps: ['send'], finalReplyMissing: true },
		text: (c) => ({
			title: `The delivery status is unknown: ${c.host} ${c.code === 'ETIMEDOUT' ? 'stopped answering' : 'dropped the connection'} after the whole message`,
			explanation:
				'Postern sent the whole test message and its final dot, but no answer came before the connection ended. The server may have taken the message: it may have been delivered, or not. RFC 1047 describes this moment: a reply lost after the final dot leaves the sender unable to tell.',
			fix: 'Look for the test message in the destination mailbox before you send another (a second one may arrive as well; the Message-ID tells them apart). If it keeps happening, ask the mail server’s admin what closes connections after the message (a content filter or a proxy timing out).'
		})
	},

	// --- Microsoft Graph sendMail (graph.ts): keyed by HTTP status and Graph's error code ---
	{
		id: 'graph-access-denied',
		phase: 'auth',
		when: [{ graph: ['ErrorAccessDenied'] }, { graphStatus: [403] }],
		text: (c) => ({
			title: `Microsoft Graph refused to send as ${c.identity} (403 ErrorAccessDenied)`,
			explanation: `The token was valid, but the application may not send mail as ${c.identity}: it lacks the Mail.Send application permission, an admin has not consented to it, or an RBAC for Applications scope leaves this mailbox out.`,
			fix: 'Scope the application to the sending mailbox with RBAC for Applications (below, in Exchange Online PowerShell), then check it with Test-ServicePrincipalAuthorization. Or, tenant-wide, add the Microsoft Graph application permission Mail.Send in Entra ID and grant admin consent (that lets the app send as any mailbox).',
			powershell: [
				...connectExchange(c),
				`New-ServicePrincipal -AppId ${ps(c.clientId ?? '<client-id>')} -ObjectId ${SERVICE_PRINCIPAL_OBJECT_ID} -DisplayName 'Postern'`,
				`New-ManagementScope -Name 'Postern sending mailbox' -RecipientRestrictionFilter "PrimarySmtpAddress -eq '${(c.mailbox ?? '<mailbox>').replace(/'/g, "''")}'"`,
				`New-ManagementRoleAssignment -App ${ps(c.clientId ?? '<client-id>')} -Role 'Application Mail.Send' -CustomResourceScope 'Postern sending mailbox'`,
				`Test-ServicePrincipalAuthorization -Identity ${ps(c.clientId ?? '<client-id>')} -Resource ${ps(c.mailbox ?? '<mailbox>')}`
			]
		})
	},
	{
		id: 'graph-missing-role',
		phase: 'token',
		when: { claims: ['missing-role'], auth: ['graph'] },
		text: (c) => ({
			title: 'The token has no Mail.Send role: Microsoft Graph would refuse to send',
			explanation: `Entra ID issued a Graph token for the application ${c.clientId ?? ''}, but without the Mail.Send application role, so sendMail would answer 403 ErrorAccessDenied.`,
			fix: 'In Entra ID, open the app registration, API permissions: add Microsoft Graph, Application permissions, Mail.Send, then Grant admin consent. To limit it to the sending mailbox, use RBAC for Applications instead (the PowerShell that a 403 shows).'
		})
	},
	{
		id: 'graph-wrong-audience',
		phase: 'token',
		when: { claims: ['wrong-audience'], auth: ['graph'] },
		text: (c) => ({
			title: 'The token is not for Microsoft Graph',
			explanation: `The token endpoint issued a token for another resource than Microsoft Graph of the ${c.cloudName} cloud.`,
			fix: 'Check the Cloud setting: it must be the tenant’s own cloud.'
		})
	},
	{
		id: 'graph-token-refused',
		phase: 'token',
		when: [{ graph: ['InvalidAuthenticationToken'] }, { graphStatus: [401] }],
		text: (c) => ({
			title: 'Microsoft Graph did not accept the access token (401)',
			explanation: `Graph rejected the token itself: it was issued for another resource than Microsoft Graph of the ${c.cloudName} cloud, or it expired on the way.`,
			fix: 'Check that the server’s cloud matches the tenant’s (a national-cloud tenant needs its own cloud here) and test again: Postern asks for a fresh token.'
		})
	},
	{
		id: 'graph-mailbox-not-enabled',
		phase: 'send',
		when: { graph: ['MailboxNotEnabledForRESTAPI', 'MailboxNotSupportedForRESTAPI'] },
		text: (c) => ({
			title: `${c.identity} cannot send through Microsoft Graph (MailboxNotEnabledForRESTAPI)`,
			explanation: `Graph found the user, but their mailbox is inactive, soft-deleted, not licensed for Exchange Online, or hosted on-premises, where Graph cannot reach it.`,
			fix: 'Send as a licensed Exchange Online mailbox (a shared mailbox works and needs no licence), or use SMTP for an on-premises mailbox.'
		})
	},
	{
		id: 'graph-mailbox-unknown',
		phase: 'send',
		when: [
			{ graph: ['ErrorInvalidUser', 'ResourceNotFound', 'Request_ResourceNotFound'] },
			{ graphStatus: [404] }
		],
		text: (c) => ({
			title: `Microsoft Graph knows no mailbox ${c.identity} (404)`,
			explanation: `The tenant has no user or shared mailbox with this address or user principal name, or it is in another tenant than the application's.`,
			fix: 'Enter the sending mailbox’s primary SMTP address or user principal name, as Exchange Online shows it, in Mailbox.'
		})
	},
	{
		id: 'graph-throttled',
		phase: 'send',
		when: { graphStatus: [429] },
		text: () => ({
			title: 'Microsoft Graph is throttling this application (429)',
			explanation:
				'Graph answered "too many requests" and said how long to wait. Messages are not lost: the server’s queue waits as told, then goes on.',
			fix: 'Nothing to do for a burst. If it keeps happening, lower Messages per minute for this server (Exchange Online allows 30 a minute per mailbox) or spread the mail over more mailboxes.'
		})
	},
	{
		id: 'graph-unavailable',
		phase: 'send',
		when: { graphStatus: [500, 502, 503, 504] },
		text: () => ({
			title: 'Microsoft Graph is unavailable for now (5xx)',
			explanation:
				'Graph answered with a server error: an outage or maintenance on Microsoft’s side, not a problem with Postern’s settings.',
			fix: 'Postern retries the message by itself. Check the Microsoft 365 service health page if it lasts.'
		})
	},

	// --- Microsoft identity platform (token step) ---
	{
		id: 'aadsts-invalid-client-secret',
		phase: 'token',
		when: { aadsts: [7000215] },
		text: (c) => ({
			title: 'The client secret was refused (AADSTS7000215)',
			explanation:
				'Microsoft Entra ID did not accept the client secret. Most often the secret’s ID was pasted instead of its value: the portal shows both, and the value only once, when the secret is created.',
			fix: `In the Entra admin center open App registrations > ${c.clientId ?? 'your application'} > Certificates & secrets, create a new client secret, copy its Value (not the Secret ID) into Client secret, and set Client secret expires on to its expiry.`
		})
	},
	{
		id: 'aadsts-client-secret-expired',
		phase: 'token',
		when: { aadsts: [7000222] },
		text: (c) => ({
			title: 'The client secret has expired (AADSTS7000222)',
			explanation:
				'The application’s client secret passed its expiry date, so Microsoft Entra ID no longer issues tokens with it. No mail can be sent with this server until it is replaced.',
			fix: `In App registrations > ${c.clientId ?? 'your application'} > Certificates & secrets, add a new client secret (6, 12 or 24 months), paste its Value into Client secret here and record its expiry date, then delete the expired one.`
		})
	},
	{
		id: 'aadsts-application-not-found',
		phase: 'token',
		when: { aadsts: [700016] },
		text: (c) => ({
			title: 'The application is not in this tenant (AADSTS700016)',
			explanation: `No application with client ID ${c.clientId ?? '(not set)'} exists in tenant ${c.tenantId ?? '(not set)'}. The client ID is mistyped, or it belongs to an app registered in another tenant or another Microsoft cloud.`,
			fix: 'Copy the Application (client) ID and the Directory (tenant) ID again from the app registration’s Overview page, and check the Cloud setting matches where the tenant lives.'
		})
	},
	{
		id: 'aadsts-tenant-not-found',
		phase: 'token',
		when: { aadsts: [90002, 90001] },
		text: (c) => ({
			title: 'The tenant was not found (AADSTS90002)',
			explanation: `Microsoft Entra ID has no tenant “${c.tenantId ?? ''}” in the ${c.cloudName} cloud. The tenant ID is mistyped, or the tenant lives in another Microsoft cloud (for example US Government instead of global).`,
			fix: 'Copy the Directory (tenant) ID from the app registration’s Overview page (or use the tenant’s primary domain, such as contoso.onmicrosoft.com), and choose the Cloud the tenant belongs to.'
		})
	},
	{
		id: 'aadsts-invalid-scope',
		phase: 'token',
		when: { aadsts: [70011, 1002012] },
		text: (c) => ({
			title: 'The token scope was refused (invalid scope)',
			explanation: `The client-credentials grant must ask for the Exchange Online resource with /.default (${c.scope}). The identity platform refused the scope that was sent, usually because the Cloud setting does not match the tenant.`,
			fix: 'Check the Cloud setting. Postern always asks for the chosen cloud’s Exchange Online scope; if the Cloud is right, make sure the Office 365 Exchange Online API is available in the tenant.'
		})
	},
	{
		id: 'token-timeout',
		phase: 'token',
		when: { codes: ['ETOKENTIMEOUT'] },
		text: (c) => ({
			title: 'The Microsoft token endpoint did not answer in time',
			explanation: `No answer from https://${c.authorityHost} within the timeout. Outbound HTTPS from this Postern server to Microsoft is slow or blocked (a firewall or a proxy that is needed but not used).`,
			fix: `Allow outbound HTTPS (port 443) from the Postern server to ${c.authorityHost}, or raise the timeout, then test again.`
		})
	},
	{
		id: 'token-endpoint-unreachable',
		phase: 'token',
		when: { steps: ['token'], msal: ['network_error'] },
		text: (c) => ({
			title: 'The Microsoft token endpoint could not be reached',
			explanation: `Postern could not talk to https://${c.authorityHost}: its name did not resolve, the connection was refused, or the answer was not Microsoft’s.`,
			fix: `Allow outbound HTTPS (port 443) from the Postern server to ${c.authorityHost} and check its DNS.`
		})
	},
	{
		id: 'token-missing-role',
		phase: 'token',
		when: { claims: ['missing-role'] },
		text: (c) => ({
			title: `The token lacks the ${SEND_AS_APP_ROLE} permission`,
			explanation: `Microsoft issued a token, but without the ${SEND_AS_APP_ROLE} role, so Exchange Online would refuse it. The application permission is missing, or admin consent was not granted.`,
			fix: `In App registrations > ${c.clientId ?? 'your application'} > API permissions: Add a permission > APIs my organization uses > Office 365 Exchange Online > Application permissions > ${SEND_AS_APP_ROLE}, then “Grant admin consent”. Delegated permissions (SMTP.Send) do not work with this sign-in.`
		})
	},
	{
		id: 'token-wrong-audience',
		phase: 'token',
		when: { claims: ['wrong-audience', 'unreadable'] },
		text: (c) => ({
			title: 'The token is not for Exchange Online',
			explanation: `The token Microsoft issued is for another service than Exchange Online of the ${c.cloudName} cloud (${c.audience}), so the SMTP server would refuse it. The Cloud setting likely does not match the tenant.`,
			fix: 'Choose the Cloud the tenant lives in (global, US Government GCC High or DoD, or China), then test again.'
		})
	},
	{
		id: 'token-refused',
		phase: 'token',
		when: { steps: ['token'] },
		text: (c) => ({
			title: `Microsoft did not issue a token${c.aadsts ? ` (AADSTS${c.aadsts})` : ''}`,
			explanation: `Microsoft Entra ID refused the client-credentials request${c.msalCode ? ` (${c.msalCode})` : ''}.`,
			fix: `Check the tenant ID, client ID and client secret. With the AADSTS number, https://login.microsoftonline.com/error?code=${c.aadsts ?? ''} explains the cause.`
		})
	},

	// --- DNS and TCP ---
	{
		id: 'not-smtp',
		phase: 'connect',
		when: { foreignGreeting: true },
		text: (c) => ({
			title: `${c.host}:${c.port} is not an SMTP server`,
			explanation: `${c.greeting ? `It answered “${c.greeting}”` : 'It answered with something that is not text'}, which is not an SMTP greeting (an SMTP server begins with 220). Another kind of service listens on this port: SSH, a web server, a database or a proxy.`,
			fix: `Check Server and Port: a mail server’s submission port is usually 587 (STARTTLS) or 465 (SSL/TLS), a relay’s 25. Make sure ${c.host} is the mail server itself.`
		})
	},
	{
		id: 'host-not-found',
		phase: 'dns',
		when: { codes: ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'ENODATA', 'EAI_FAIL', 'EDNS'] },
		text: (c) => ({
			title: `The server name ${c.host} was not found`,
			explanation: `DNS has no address for ${c.host}${c.code === 'EAI_AGAIN' ? ', or the DNS server did not answer (a temporary failure)' : ''}. The name is mistyped, exists only in another network’s DNS, or this machine cannot reach its DNS server.`,
			fix: 'Check the spelling of Server (a host name only, without smtp:// or a port). If the name is internal, make sure this Postern server uses the DNS that knows it, or enter the IP address.'
		})
	},
	{
		id: 'connection-refused',
		phase: 'connect',
		when: { codes: ['ECONNREFUSED'] },
		text: (c) => ({
			title: `Nothing accepts connections on ${c.host}:${c.port}`,
			explanation: `The server answered, but no program listens on port ${c.port} there (or a firewall rejects the connection).`,
			fix: `Check the port: usually 25 (Unsecured relay), 587 (STARTTLS) or 465 (SSL/TLS). Check that the mail service runs and that a firewall lets this Postern server reach port ${c.port}.`
		})
	},
	{
		id: 'host-unreachable',
		phase: 'connect',
		when: { codes: ['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'] },
		text: (c) => ({
			title: `${c.host} cannot be reached from this server`,
			explanation: 'There is no network route from the Postern server to that address.',
			fix: 'Check the address and the network between Postern and the mail server (routing, VPN, firewall).'
		})
	},
	{
		id: 'plain-to-tls-port',
		phase: 'tls',
		when: { codes: ['ETIMEDOUT'], timeoutTypes: ['GREETING_TIMEOUT'], probe: ['tls'] },
		text: (c) => ({
			title: 'This port expects SSL/TLS from the start',
			explanation: `Port ${c.port} answered a TLS handshake but never sent a plain SMTP greeting: it is an implicit-TLS port (like 465), and Postern connected as “${c.securityLabel}”.`,
			fix: 'Set Connection type to SSL/TLS, or keep the connection type and use the port that matches it (587 for STARTTLS, 25 for Unsecured).'
		})
	},
	{
		id: 'tls-to-plain-port',
		phase: 'tls',
		when: { codes: NOT_TLS, security: ['tls'] },
		text: (c) => ({
			title: 'This port does not speak SSL/TLS from the start',
			explanation: `Postern opened a TLS connection (SSL/TLS) but port ${c.port} answered in plain text: it expects plain SMTP, possibly with STARTTLS (like 587 or 25).`,
			fix: 'Set Connection type to STARTTLS (port 587) or Unsecured (port 25), or use the server’s SSL/TLS port (usually 465).'
		})
	},
	{
		id: 'timeout',
		phase: 'connect',
		when: { codes: ['ETIMEDOUT'] },
		text: (c) => ({
			title:
				c.timeoutType === 'GREETING_TIMEOUT'
					? `${c.host} accepted the connection but never greeted`
					: `${c.host}:${c.port} did not answer in time`,
			explanation:
				c.timeoutType === 'GREETING_TIMEOUT'
					? `The connection opened, but no SMTP greeting came within ${c.timeoutSeconds} s. Either the port expects TLS from the start (SSL/TLS, like 465), or the service is overloaded, or a firewall or proxy holds the connection.`
					: c.timeoutType === 'CONNECT_TIMEOUT' || c.step === 'tcp'
						? `No answer to the connection request within ${c.timeoutSeconds} s: a firewall drops the packets, or the address is wrong.`
						: `The server stopped answering during the ${c.stepLabel.toLowerCase()} step (after ${c.timeoutSeconds} s or more).`,
			fix:
				c.timeoutType === 'GREETING_TIMEOUT'
					? 'Check the connection type against the port (SSL/TLS for 465, STARTTLS for 587), then the server’s load.'
					: `Check that a firewall lets this Postern server reach ${c.host}:${c.port}, or raise the timeout for a slow server.`
		})
	},
	{
		id: 'mailbox-concurrency',
		phase: 'send',
		when: [{ enhanced: ['4.3.2'] }, { reply: [432] }],
		text: (c) => ({
			title: 'Too many connections for this mailbox (4.3.2)',
			explanation: `The server limits how many connections one sender may open at once (Exchange Online: 3 per mailbox) and refused this one. Postern opens at most 3 per server; other applications sending as ${c.sender} count too.`,
			fix: 'Wait and retry: Postern retries these by itself. If it keeps happening, move other applications off this mailbox or give Postern its own mailbox.'
		})
	},
	{
		id: 'greeting-421',
		phase: 'connect',
		when: { reply: [421], steps: ['greeting', 'tcp', 'tls'] },
		text: (c) => ({
			title: `${c.host} refused the session (421)`,
			explanation: `The server answered its greeting with 421: it is shutting down, overloaded, or does not accept connections from this Postern server’s address.`,
			fix: 'Try again later; if it persists, ask the mail server’s admin whether this server’s IP address is allowed to connect (relay or connector restrictions).'
		})
	},
	{
		id: 'connection-dropped',
		phase: 'connect',
		when: { codes: ['ECONNECTION', 'ECONNRESET', 'EPIPE'], steps: ['tcp', 'greeting'] },
		text: (c) => ({
			title: `${c.host} closed the connection at once`,
			explanation:
				'The server accepted the connection and hung up before any greeting. It refuses this Postern server’s address, has reached its connection limit, or expects TLS from the start.',
			fix: `Ask the mail server’s admin whether this server’s IP address may connect; if the port is an SSL/TLS port (465), set Connection type to SSL/TLS.`
		})
	},

	// --- TLS ---
	{
		id: 'certificate-expired',
		phase: 'tls',
		when: { codes: ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'] },
		text: (c) => ({
			title: 'The server’s certificate has expired',
			explanation: `${c.host} presented a TLS certificate that is outside its validity dates${c.certificate ? ` (${c.certificate})` : ''}. Mail to it is not protected against interception until it is renewed.`,
			fix: 'Ask the mail server’s admin to renew the certificate. Turning off “Verify TLS certificate” makes mail flow meanwhile, at the cost of that protection.'
		})
	},
	{
		id: 'certificate-wrong-host',
		phase: 'tls',
		when: { codes: ['ERR_TLS_CERT_ALTNAME_INVALID'] },
		text: (c) => ({
			title: `The server’s certificate is not for ${c.host}`,
			explanation: `The certificate names other hosts${c.certificate ? ` (${c.certificate})` : ''}. Either Server should be the name on the certificate, or something between Postern and the server answers in its place.`,
			fix: 'Enter the host name the certificate is issued for in Server (not an IP address or an alias), or have the certificate reissued with this name.'
		})
	},
	{
		id: 'certificate-untrusted',
		phase: 'tls',
		when: { codes: CERTIFICATE_UNTRUSTED },
		text: (c) => ({
			title: 'The server’s certificate is not trusted',
			explanation: `${c.host} presented a certificate signed by an authority this Postern server does not trust (a self-signed certificate or an internal CA), or it did not send its intermediate certificates.`,
			fix: 'Paste your internal CA certificate (PEM) into “CA certificate”, or have the server send its full certificate chain. Turning off “Verify TLS certificate” works too but removes the protection against interception.'
		})
	},
	{
		id: 'starttls-not-offered',
		phase: 'tls',
		when: { codes: ['ETLS'], commands: ['STARTTLS'], replyClass: [4, 5] },
		text: (c) => ({
			title: `${c.host} does not offer STARTTLS on port ${c.port}`,
			explanation:
				'The connection type is STARTTLS, but the server refused to upgrade the connection to TLS. Postern does not send credentials or mail unencrypted when STARTTLS was chosen.',
			fix: 'Use the server’s submission port with STARTTLS (usually 587), choose SSL/TLS if the server has a TLS port (465), or choose Unsecured for a relay on a trusted network.'
		})
	},
	{
		id: 'tls-handshake-failed',
		phase: 'tls',
		when: { steps: ['tls'] },
		text: (c) => ({
			title: 'The TLS handshake failed',
			explanation: `Postern and ${c.host} could not agree on a secure connection${c.code ? ` (${c.code})` : ''}: the server may only offer outdated TLS versions or ciphers, or something in between interferes.`,
			fix: 'Check the server’s TLS configuration (TLS 1.2 or newer) and the connection type against the port.'
		})
	},

	// --- Authentication ---
	{
		id: 'smtp-auth-disabled',
		phase: 'auth',
		when: { enhanced: ['5.7.139'] },
		text: (c) => ({
			title: 'SMTP AUTH is disabled for this mailbox or tenant (5.7.139)',
			explanation: `Exchange Online has authenticated SMTP (SMTP AUTH) turned off for ${c.identity}, or for the whole organization (also when Security defaults are on). Without it, no login over SMTP is accepted${c.auth === 'basic' ? ', whatever the password' : ''}.`,
			fix: `An Exchange admin enables SMTP AUTH for the mailbox (below). If the organization disabled it everywhere (Get-TransportConfig shows SmtpClientAuthenticationDisabled True), the per-mailbox setting still wins.${c.auth === 'basic' ? ' Microsoft retires Basic authentication for SMTP: prefer Microsoft 365 OAuth2.' : ''}`,
			powershell: [
				...connectExchange(c),
				`Set-CASMailbox -Identity ${ps(c.identity)} -SmtpClientAuthenticationDisabled $false`
			]
		})
	},
	{
		id: 'basic-auth-retired',
		phase: 'auth',
		when: { enhanced: ['5.7.30'] },
		text: () => ({
			title: 'Basic authentication is retired for this server (5.7.30)',
			explanation:
				'Exchange Online no longer accepts a username and password for SMTP client submission in this organization.',
			fix: 'Switch Authentication to Microsoft 365 OAuth2: register an application with the SMTP.SendAsApp permission (see the help beside the Microsoft fields) and enter its tenant ID, client ID and secret.'
		})
	},
	{
		id: 'auth-mechanism-unsupported',
		phase: 'auth',
		when: { reply: [504], steps: ['auth'] },
		text: (c) => ({
			title: 'The server does not accept this sign-in method (504)',
			explanation: `${c.host} does not support ${c.auth === 'microsoft' ? 'XOAUTH2 (OAuth2)' : 'PLAIN or LOGIN'} authentication on this connection. Often the connection is not encrypted yet and the server offers sign-in only after STARTTLS, or it is not the submission service at all.`,
			fix:
				c.security === 'none'
					? 'Set Connection type to STARTTLS (port 587) or SSL/TLS (port 465): most servers offer sign-in only over TLS.'
					: 'Check that Server and Port are the server’s submission service (Exchange Online: smtp.office365.com, 587, STARTTLS).'
		})
	},
	{
		id: 'encryption-required',
		phase: 'auth',
		when: [{ reply: [538, 530], steps: ['auth'] }, { enhanced: ['5.7.11'] }],
		text: () => ({
			title: 'The server wants TLS before sign-in',
			explanation:
				'The server refuses to receive a username and password (or mail) over an unencrypted connection.',
			fix: 'Set Connection type to STARTTLS (port 587) or SSL/TLS (port 465).'
		})
	},
	{
		id: 'xoauth2-rejected',
		phase: 'auth',
		when: { steps: ['auth'], auth: ['microsoft'], codes: ['EAUTH'] },
		text: (c) => ({
			title: `Exchange Online refused the token for ${c.mailbox ?? 'the mailbox'}`,
			explanation: `The token is valid for Exchange Online, but the application may not send as ${c.mailbox ?? 'this mailbox'}. Exchange needs the application registered as a service principal and given access to the mailbox, and SMTP AUTH enabled for it.`,
			fix: `An Exchange Online admin runs the commands below. The Object ID is the one under Enterprise applications (not App registrations) for client ID ${c.clientId ?? ''}. Changes can take up to 30 minutes to apply.`,
			powershell: [
				...connectExchange(c),
				`New-ServicePrincipal -AppId ${ps(c.clientId ?? '<Application (client) ID>')} -ObjectId ${SERVICE_PRINCIPAL_OBJECT_ID}`,
				`Add-MailboxPermission -Identity ${ps(c.mailbox ?? '<mailbox>')} -User ${SERVICE_PRINCIPAL_OBJECT_ID} -AccessRights FullAccess`,
				`Set-CASMailbox -Identity ${ps(c.mailbox ?? '<mailbox>')} -SmtpClientAuthenticationDisabled $false`
			]
		})
	},
	{
		id: 'credentials-rejected',
		phase: 'auth',
		when: { steps: ['auth'], reply: [535, 534, 454] },
		text: (c) => ({
			title: 'The server refused the username or password',
			explanation: `${c.host} did not accept the credentials for “${c.username ?? ''}”${c.enhanced ? ` (${c.enhanced})` : ''}. The password is wrong or expired, the username has another form (often the full e-mail address), or the account needs an app password because of multi-factor sign-in.`,
			fix: 'Type the username and password again. For Microsoft 365 prefer the Microsoft 365 OAuth2 authentication; for Gmail and similar services use an app password.'
		})
	},
	{
		id: 'auth-not-offered',
		phase: 'auth',
		when: { steps: ['auth'], reply: [500, 502, 503] },
		text: (c) => ({
			title: `${c.host} does not offer sign-in here`,
			explanation:
				'Authentication is configured, but the server does not accept AUTH on this connection: it is a relay that takes mail without sign-in, or it offers sign-in only over TLS.',
			fix:
				c.security === 'none'
					? 'Choose STARTTLS or SSL/TLS if the server signs in over TLS; if it is a relay that needs no sign-in, set Authentication to None.'
					: 'If this is a relay that needs no sign-in, set Authentication to None; otherwise use the server’s submission port (587).'
		})
	},
	{
		id: 'auth-failed',
		phase: 'auth',
		when: { steps: ['auth'] },
		text: (c) => ({
			title: 'Sign-in failed',
			explanation: `The server did not complete the sign-in${c.reply ? ` (reply ${c.reply}${c.enhanced ? ` ${c.enhanced}` : ''})` : ''}.`,
			fix: 'Check the authentication settings and look at the transcript for the server’s answer.'
		})
	},

	// --- Sending ---
	{
		id: 'not-authenticated',
		phase: 'send',
		when: { reply: [530], steps: ['send'] },
		text: (c) => ({
			title: 'The server wants a sign-in before it takes mail (530)',
			explanation: `${c.host} refused to accept mail from an unauthenticated client${c.enhanced ? ` (${c.enhanced})` : ''}. Exchange Online says 5.7.57 when a client sends without signing in.`,
			fix: 'Set Authentication to Username and password or Microsoft 365 OAuth2, or ask the server’s admin to allow relaying from this Postern server’s IP address (an Exchange connector for a relay).'
		})
	},
	{
		id: 'sendas-denied',
		phase: 'send',
		when: { enhanced: ['5.7.60'] },
		text: (c) => ({
			title: `Not allowed to send as ${c.sender} (5.7.60)`,
			explanation:
				c.auth === 'microsoft'
					? `The application signs in as ${c.mailbox ?? 'the mailbox'} but the sender address is ${c.sender}. Exchange lets it send only as the mailbox itself, or as addresses the mailbox has Send As rights on.`
					: `The account “${c.username ?? ''}” may not send with ${c.sender} as the sender.`,
			fix:
				c.auth === 'microsoft'
					? 'Use the mailbox address as the sender address, or let an Exchange admin grant the rights below.'
					: 'Use the account’s own address as the sender address, or have a Send As permission granted for this address.',
			powershell:
				c.auth === 'microsoft'
					? [
							...connectExchange(c),
							`Add-MailboxPermission -Identity ${ps(c.mailbox ?? '<mailbox>')} -User ${SERVICE_PRINCIPAL_OBJECT_ID} -AccessRights FullAccess`,
							...(c.mailbox && c.sender.toLowerCase() !== c.mailbox.toLowerCase()
								? [
										`Add-RecipientPermission -Identity ${ps(c.sender)} -Trustee ${ps(c.mailbox)} -AccessRights SendAs`
									]
								: [])
						]
					: undefined
		})
	},
	{
		id: 'sender-rejected',
		phase: 'send',
		when: { steps: ['send'], commands: ['MAIL FROM'], replyClass: [5] },
		text: (c) => ({
			title: `The server refused the sender address ${c.sender}`,
			explanation: `The server does not accept mail from ${c.sender}${c.enhanced ? ` (${c.enhanced})` : ''}: the address is not allowed for this account, or the domain is not one it sends for.`,
			fix: 'Use a sender address of a domain the server handles, ideally the address of the account Postern signs in with.'
		})
	},
	{
		id: 'recipient-rejected',
		phase: 'send',
		when: { steps: ['send'], commands: ['RCPT TO'], replyClass: [5] },
		text: (c) => ({
			title: 'The server refused the destination address',
			explanation: `The server does not accept mail for the test destination${c.enhanced ? ` (${c.enhanced})` : ''}: the address does not exist, or the server does not relay to outside domains for this sender.`,
			fix: 'Check the destination address. If it is outside your organization, make sure the server allows this account (or this Postern server’s IP address) to relay.'
		})
	},
	{
		id: 'message-rejected',
		phase: 'send',
		when: { steps: ['send'], replyClass: [5] },
		text: (c) => ({
			title: 'The server refused the message',
			explanation: `The server refused the test message${c.reply ? ` (reply ${c.reply}${c.enhanced ? ` ${c.enhanced}` : ''})` : ''}.`,
			fix: 'Read the server’s answer in the transcript; it usually names the policy that refused the message.'
		})
	},
	{
		id: 'send-deferred',
		phase: 'send',
		when: { steps: ['send'], replyClass: [4] },
		text: (c) => ({
			title: 'The server deferred the message (try again later)',
			explanation: `The server answered with a temporary failure${c.reply ? ` (${c.reply}${c.enhanced ? ` ${c.enhanced}` : ''})` : ''}. Postern retries such messages by itself.`,
			fix: 'Test again in a few minutes; if it persists, ask the mail server’s admin about the reason in the transcript.'
		})
	}
];

/** Every diagnosis id the table can give (for tests and for the UI's help links). */
export function listDiagnosisIds(): string[] {
	return [...RULES.map((r) => r.id), 'unexpected-failure'];
}

/** The diagnosis of a failed step. Always answers: an unknown failure gets a generic text for its phase. */
export function diagnoseFailure(facts: FailureFacts, context: DiagnosisContext): Diagnosis {
	const values = describeContext(facts, context);
	const rule = RULES.find((r) =>
		(Array.isArray(r.when) ? r.when : [r.when]).some((when) => matches(when, facts, context))
	);
	if (rule) {
		const { powershell, ...text } = rule.text(values);
		return {
			id: rule.id,
			phase: rule.phase,
			...text,
			...(powershell?.length ? { powershell } : {})
		};
	}
	return {
		id: 'unexpected-failure',
		phase: PHASE_OF_STEP[facts.step],
		title: `${values.stepLabel} failed`,
		explanation: `An unexpected failure during the ${values.stepLabel.toLowerCase()} step${values.code ? ` (${values.code})` : ''}${values.reply ? `, reply ${values.reply}${values.enhanced ? ` ${values.enhanced}` : ''}` : ''}.`,
		fix: 'Look at the transcript for the server’s answer, check the settings, and test again.'
	};
}

/** The failure's codes in one short line for the failed step (codes only: no server text). */
export function describeFacts(facts: FailureFacts): string {
	const parts = [
		facts.responseCode ? String(facts.responseCode) : null,
		facts.enhancedStatus ?? null,
		facts.aadsts ? `AADSTS${facts.aadsts}` : null,
		facts.msalErrorCode ?? null,
		facts.claimsProblem ?? null,
		facts.originalCode ?? facts.code ?? null,
		facts.timeoutType ? facts.timeoutType.toLowerCase().replace(/_/g, ' ') : null
	].filter(Boolean);
	return parts.join(' ');
}

const TLS_CODE = /^(CERT_|ERR_SSL|ERR_TLS|UNABLE_TO|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH)/;

/**
 * Which step of the dialogue failed, read from nodemailer's codes and the command in flight: for a send through
 * the production transport, which keeps no step-by-step record (the configuration test knows its step).
 */
export function stepOfSendError(error: unknown): StepId {
	const e = (error ?? {}) as { code?: string; command?: string; cause?: { code?: string } };
	const original = (error as { originalCode?: string })?.originalCode ?? e.cause?.code ?? '';
	const command = (e.command ?? '').toUpperCase();
	if (e.code === 'EDNS' || ['ENOTFOUND', 'EAI_AGAIN'].includes(original)) return 'dns';
	if (e.code === 'ETLS' || command === 'STARTTLS' || TLS_CODE.test(original)) return 'tls';
	if (e.code === 'EOAUTH2') return 'token';
	if (e.code === 'EAUTH' || command.startsWith('AUTH')) return 'auth';
	if (command === 'CONN' || command === 'GREETING') {
		if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH'].includes(original)) return 'tcp';
		return e.code === 'ETIMEDOUT' ? 'greeting' : 'tcp';
	}
	if (e.code === 'ECONNECTION' && !command) return 'tcp';
	return 'send';
}

/** The codes of an error (nodemailer, Node, msal, or Postern's own), read into FailureFacts. */
export function collectFailureFacts(error: unknown, step: StepId): FailureFacts {
	const e = (error ?? {}) as NodemailerError & {
		errorCode?: string;
		errorNo?: string | number;
		cause?: { code?: string };
		status?: number;
		graphCode?: string | null;
	};
	const response = typeof e.response === 'string' ? e.response : undefined;
	const aadsts = e.errorNo !== undefined && e.errorNo !== '' ? Number(e.errorNo) : undefined;
	return {
		step,
		code: e.code,
		originalCode: e.originalCode ?? e.cause?.code,
		command: e.command,
		responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined,
		enhancedStatus: response ? readEnhancedStatus(response) : undefined,
		timeoutType: e.timeoutType,
		aadsts: Number.isFinite(aadsts) ? aadsts : undefined,
		msalErrorCode: e.errorCode,
		...(e.code === 'EGRAPH'
			? { graphStatus: e.status, ...(e.graphCode ? { graphCode: e.graphCode } : {}) }
			: {})
	};
}

/** The enhanced status code (RFC 3463) right after the reply code, e.g. "5.7.139" in "535 5.7.139 ...". */
export function readEnhancedStatus(reply: string): string | undefined {
	return /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/.exec(reply.trim())?.[1];
}

const PHASE_OF_STEP: Record<StepId, DiagnosisPhase> = {
	dns: 'dns',
	tcp: 'connect',
	greeting: 'connect',
	tls: 'tls',
	token: 'token',
	claims: 'token',
	auth: 'auth',
	send: 'send'
};

const STEP_LABELS: Record<StepId, string> = {
	dns: 'DNS lookup',
	tcp: 'TCP connection',
	greeting: 'Server greeting',
	tls: 'TLS',
	token: 'Microsoft token',
	claims: 'Token check',
	auth: 'Authentication',
	send: 'Sending'
};

const SECURITY_LABELS: Record<SmtpSecurity, string> = {
	none: 'Unsecured',
	starttls: 'STARTTLS',
	tls: 'SSL/TLS'
};

const CLOUD_NAMES: Record<MicrosoftCloud, string> = {
	global: 'global',
	usgov: 'US Government GCC High',
	usgovdod: 'US Government DoD',
	china: '21Vianet (China)'
};

function matches(when: RuleConditions, facts: FailureFacts, context: DiagnosisContext) {
	const codes = [facts.code, facts.originalCode].filter(Boolean) as string[];
	if (when.codes && !when.codes.some((c) => codes.includes(c))) return false;
	if (when.steps && !when.steps.includes(facts.step)) return false;
	if (when.reply && (facts.responseCode === undefined || !when.reply.includes(facts.responseCode)))
		return false;
	if (
		when.replyClass &&
		(facts.responseCode === undefined ||
			!when.replyClass.includes(Math.floor(facts.responseCode / 100)))
	)
		return false;
	if (when.enhanced && (!facts.enhancedStatus || !when.enhanced.includes(facts.enhancedStatus)))
		return false;
	if (when.aadsts && (facts.aadsts === undefined || !when.aadsts.includes(facts.aadsts)))
		return false;
	if (when.msal && (!facts.msalErrorCode || !when.msal.includes(facts.msalErrorCode))) return false;
	if (when.claims && (!facts.claimsProblem || !when.claims.includes(facts.claimsProblem)))
		return false;
	if (when.timeoutTypes && (!facts.timeoutType || !when.timeoutTypes.includes(facts.timeoutType)))
		return false;
	if (when.probe && (!facts.tlsProbe || !when.probe.includes(facts.tlsProbe))) return false;
	if (
		when.commands &&
		!when.commands.some((c) => (facts.command ?? '').toUpperCase().startsWith(c))
	)
		return false;
	if (when.foreignGreeting && facts.foreignGreeting === undefined) return false;
	if (when.finalReplyMissing && !facts.awaitingFinalReply) return false;
	if (when.graph && (!facts.graphCode || !when.graph.includes(facts.graphCode))) return false;
	if (when.graphStatus && (!facts.graphStatus || !when.graphStatus.includes(facts.graphStatus)))
		return false;
	if (when.auth && !when.auth.includes(context.auth)) return false;
	if (when.security && !when.security.includes(context.security)) return false;
	return true;
}

function describeContext(facts: FailureFacts, context: DiagnosisContext): RuleValues {
	const cloud = context.cloud ?? 'global';
	const endpoints = getCloudEndpoints(cloud);
	return {
		...context,
		step: facts.step,
		stepLabel: STEP_LABELS[facts.step],
		code: facts.originalCode ?? facts.code,
		reply: facts.responseCode,
		enhanced: facts.enhancedStatus,
		timeoutType: facts.timeoutType,
		aadsts: facts.aadsts,
		msalCode: facts.msalErrorCode,
		securityLabel: SECURITY_LABELS[context.security],
		cloudName: CLOUD_NAMES[cloud],
		authorityHost: endpoints.authorityHost,
		scope: endpoints.scope,
		audience: endpoints.audiences[0],
		exchangeEnvironment: endpoints.exchangeEnvironment,
		sender: context.fromAddress,
		greeting: facts.foreignGreeting,
		identity: context.mailbox ?? context.username ?? context.fromAddress
	};
}

function connectExchange(c: RuleValues): string[] {
	return c.cloud && c.cloud !== 'global'
		? [`Connect-ExchangeOnline -ExchangeEnvironmentName ${c.exchangeEnvironment}`]
		: ['Connect-ExchangeOnline'];
}

/** A PowerShell string literal: single quotes, quotes doubled (no variable expansion). */
function ps(value: string): string {
	return `'${value.replace(/'/g, "''")}'`;
}

export interface FailureFacts {
	/** The step that failed. */
	step: StepId;
	/** nodemailer's code (EAUTH, ETLS, ESOCKET ...), Node's (ENOTFOUND ...) or Postern's (ETOKENTIMEOUT). */
	code?: string;
	/** The code under nodemailer's: ECONNREFUSED, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID ... */
	originalCode?: string;
	/** The SMTP command in flight: CONN, STARTTLS, AUTH PLAIN, MAIL FROM, RCPT TO, DATA. */
	command?: string;
	responseCode?: number;
	enhancedStatus?: string;
	timeoutType?: string;
	/** The AADSTS number of a token error. */
	aadsts?: number;
	/** msal's error code: invalid_client, network_error ... */
	msalErrorCode?: string;
	claimsProblem?: 'wrong-audience' | 'missing-role' | 'unreadable';
	/** After a greeting timeout: whether the port answered a TLS handshake. */
	tlsProbe?: 'tls' | 'no-tls';
	/** The shown part of the peer's first line when it was not an SMTP reply (transcript.ts). */
	foreignGreeting?: string;
	/** The whole message and its final dot went out and no reply to them came: delivered or not, unknown. */
	awaitingFinalReply?: boolean;
	/** Microsoft Graph's HTTP status and error code (ErrorAccessDenied ...), for a send through Graph. */
	graphStatus?: number;
	graphCode?: string;
}

export interface DiagnosisContext {
	host: string;
	port: number;
	security: SmtpSecurity;
	auth: SmtpAuthKind;
	timeoutSeconds: number;
	fromAddress: string;
	username?: string;
	mailbox?: string;
	clientId?: string;
	tenantId?: string;
	cloud?: MicrosoftCloud;
	/** A short description of the server's certificate, when one was seen. */
	certificate?: string;
}

interface RuleConditions {
	steps?: StepId[];
	codes?: string[];
	commands?: string[];
	reply?: number[];
	replyClass?: number[];
	enhanced?: string[];
	aadsts?: number[];
	msal?: string[];
	claims?: NonNullable<FailureFacts['claimsProblem']>[];
	timeoutTypes?: string[];
	probe?: NonNullable<FailureFacts['tlsProbe']>[];
	auth?: SmtpAuthKind[];
	security?: SmtpSecurity[];
	/** The peer's first line was not an SMTP reply. */
	foreignGreeting?: true;
	/** The connection ended between the final dot and its reply. */
	finalReplyMissing?: true;
	/** Graph's error code, or its HTTP status. */
	graph?: string[];
	graphStatus?: number[];
}

interface RuleValues extends DiagnosisContext {
	step: StepId;
	stepLabel: string;
	code?: string;
	reply?: number;
	enhanced?: string;
	timeoutType?: string;
	aadsts?: number;
	msalCode?: string;
	securityLabel: string;
	cloudName: string;
	authorityHost: string;
	scope: string;
	audience: string;
	exchangeEnvironment: string;
	sender: string;
	greeting?: string;
	identity: string;
}

interface DiagnosisRule {
	id: string;
	phase: DiagnosisPhase;
	/** One set of conditions, or alternatives (any set may match). */
	when: RuleConditions | RuleConditions[];
	text: (values: RuleValues) => Omit<Diagnosis, 'id' | 'phase'>;
}

/** What the diagnosis table needs to know of a saved server, with `fromAddress` as the message's From. */
export function diagnosisContextOf(
	server: Pick<
		SmtpServerView,
		| 'host'
		| 'port'
		| 'security'
		| 'auth'
		| 'timeoutSeconds'
		| 'username'
		| 'mailbox'
		| 'clientId'
		| 'tenantId'
		| 'cloud'
	>,
	fromAddress: string
): DiagnosisContext {
	return {
		host: server.host,
		port: server.port,
		security: server.security,
		auth: server.auth,
		timeoutSeconds: server.timeoutSeconds,
		fromAddress,
		username: server.username ?? undefined,
		mailbox: server.mailbox ?? undefined,
		clientId: server.clientId ?? undefined,
		tenantId: server.tenantId ?? undefined,
		cloud: server.cloud
	};
}
