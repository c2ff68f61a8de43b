/**
 * Exchange Online switches off Basic authentication for SMTP AUTH (client submission) by default at the end of
 * December 2026; a server that signs in to Microsoft's SMTP hosts with a username and password then gets
 * "550 5.7.30 Basic authentication is not supported for Client Submission". Such a server is flagged on its
 * page and alerted, with a path to OAuth2.
 */
import { isMicrosoftHost } from './limits.js';

export function signsInWithBasicToMicrosoft(server: { auth: string; host: string }): boolean {
	return server.auth === 'basic' && isMicrosoftHost(server.host);
}

export const BASIC_AUTH_RETIREMENT =
	'Exchange Online switches off Basic authentication for SMTP AUTH by default at the end of December 2026; it then answers 550 5.7.30 "Basic authentication is not supported for Client Submission".';
