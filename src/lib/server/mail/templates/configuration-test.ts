/**
 * The configuration test's e-mail: small, plain, clearly a test, with a Message-ID of its own so the admin can
 * find it in the server's message trace, and `Auto-Submitted` so autoresponders leave it alone (RFC 3834).
 */
import { randomUUID } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import type { SmtpServerSettings } from '../types.js';
import { escapeHtml } from './html.js';

const SECURITY = { none: 'Unsecured', starttls: 'STARTTLS', tls: 'SSL/TLS' } as const;
const AUTH = {
	none: 'none',
	basic: 'username and password',
	microsoft: 'Microsoft 365 OAuth2',
	graph: 'Microsoft Graph (sendMail)'
} as const;

export function composeTestMessage(
	settings: SmtpServerSettings,
	to: string,
	now: Date = new Date()
): SendMailOptions & { messageId: string } {
	const domain = settings.fromAddress.split('@')[1] || 'postern.invalid';
	const messageId = `<postern-test.${randomUUID()}@${domain}>`;
	const facts: [string, string][] = [
		['SMTP server', settings.name || '(not saved yet)'],
		['Server', `${settings.host}:${settings.port}`],
		['Connection type', SECURITY[settings.security]],
		['Authentication', AUTH[settings.auth.type]],
		['Sender', settings.fromAddress],
		['Sent at', now.toISOString()],
		['Message-ID', messageId]
	];
	const text = [
		'This is a configuration test from Postern.',
		'',
		'If you can read it, e-mail sent through this SMTP server arrives.',
		'',
		...facts.map(([name, value]) => `${name}: ${value}`),
		'',
		'No action is needed.'
	].join('\n');
	const rows = facts
		.map(
			([name, value]) =>
				`<tr><th align="left">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`
		)
		.join('');
	const html = `<!doctype html><html><body style="font-family:sans-serif;font-size:14px">
<p><strong>This is a configuration test from Postern.</strong></p>
<p>If you can read it, e-mail sent through this SMTP server arrives.</p>
<table cellpadding="4">${rows}</table>
<p>No action is needed.</p>
</body></html>`;
	return {
		from: { name: settings.fromName || 'Postern', address: settings.fromAddress },
		to,
		subject: 'Postern configuration test',
		text,
		html,
		messageId,
		date: now,
		headers: { 'Auto-Submitted': 'auto-generated', 'X-Postern-Test': 'configuration' }
	};
}
