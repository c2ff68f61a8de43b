/**
 * Mock mode: Microsoft 365's SMTP hosts (every cloud's) lead to the embedded mail sink. The site settings'
 * Microsoft method is fixed to Exchange Online's submission endpoint (smtp.office365.com:587 in the global
 * cloud), so without this route it could only be designed against the real Exchange Online. The sink accepts
 * XOAUTH2 with the tokens the mocked identity platform issued, and its dev certificate carries these host
 * names, so TLS verification stays on.
 */
import { MICROSOFT_SMTP_HOSTS as HOSTS_BY_CLOUD } from '../../schemas/smtp-server.js';
import { useSmtpRouter } from '../mail/smtp-route.js';

export const MICROSOFT_SMTP_HOSTS: ReadonlySet<string> = new Set(Object.values(HOSTS_BY_CLOUD));

export function routeMicrosoftSmtpToSink(sinkPort: number, sinkCert: string): void {
	useSmtpRouter((host, port) =>
		MICROSOFT_SMTP_HOSTS.has(host)
			? {
					host: '127.0.0.1',
					port: sinkPort,
					caPem: sinkCert,
					note: `Mock mode: ${host}:${port} is answered by the embedded mail sink (127.0.0.1:${sinkPort})`
				}
			: null
	);
}
