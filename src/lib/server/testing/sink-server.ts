/** A saved SMTP server (no TLS, no login) that points at a loopback sink on `port`: what outbox tests send through. */
import type { SmtpServerForm } from '../../schemas/smtp-server.js';
import { createSmtpServer } from '../mail/servers.js';

export async function createSinkServer(port: number, name = 'Sink'): Promise<string> {
	const created = await createSmtpServer(
		{
			auth: 'none',
			name,
			host: '127.0.0.1',
			port,
			security: 'none',
			fromAddress: 'noreply@example.com',
			fromName: 'Postern',
			verifyTls: true,
			caPem: '',
			timeoutSeconds: 5
		} as SmtpServerForm,
		{ actor: 'test' }
	);
	if (!created.ok) throw new Error(created.message);
	return created.server.id;
}
