/**
 * Real SMTP servers for tests, on a free loopback port each (smtp-server is a devDependency: only tests and
 * mock mode load it). One function, startSmtpPeer(), with options for each variant the mail tests need:
 *
 * - security: 'plain' (no STARTTLS offered), 'starttls' (offered, AUTH only after it), 'tls' (implicit TLS);
 *   certificate: 'valid' (test CA, localhost + 127.0.0.1), 'expired', 'other-host' (mail.other.example)
 * - auth: 'none' (no AUTH, mail accepted anonymously), 'basic' (PLAIN and LOGIN, the fixed PEER_USER),
 *   'xoauth2' (accepts only access tokens the mocked Microsoft endpoint issued, with Exchange's audience and the
 *   SMTP.SendAsApp role, for the expected mailbox)
 * - fault: fails the way real servers do, with their reply codes: dropped on connect, never greets, 421
 *   greeting, 535 5.7.8, 535 5.7.139, 504 5.7.4, 550 5.7.30, 530 5.7.57, 550 5.7.60 on MAIL FROM or RCPT TO,
 *   432 4.3.2
 *
 * Received messages are kept (parsed) for the test to look at.
 */
import net from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { isMockIssuedToken } from '../../../mocks/microsoft.js';
import { checkTokenClaims, decodeTokenClaims } from '../mail/microsoft.js';
import { getTestCertificates } from './test-certs.js';

export const PEER_USER = { username: 'postern-peer', password: 'peer-password-2026' } as const;

export type PeerFault =
	| 'drop-on-connect'
	| 'no-greeting'
	| 'greeting-421'
	| 'auth-535-5.7.8'
	| 'auth-535-5.7.139'
	| 'auth-504-5.7.4'
	| 'auth-550-5.7.30'
	| 'mail-530-5.7.57'
	| 'mail-550-5.7.60'
	| 'rcpt-550-5.7.60'
	| 'mail-432-4.3.2';

export interface PeerOptions {
	security?: 'plain' | 'starttls' | 'tls';
	certificate?: 'valid' | 'expired' | 'other-host';
	auth?: 'none' | 'basic' | 'xoauth2';
	/** For xoauth2: the mailbox the token must be presented for (default: any). */
	mailbox?: string;
	/** For basic: the mechanisms offered (default PLAIN and LOGIN; nodemailer picks PLAIN when offered). */
	authMethods?: ('PLAIN' | 'LOGIN')[];
	/** For xoauth2: how a refused token is answered: Exchange's 535 5.7.3, or the SASL error object. */
	xoauth2Rejection?: 'exchange' | 'sasl';
	fault?: PeerFault;
}

export interface SmtpPeer {
	host: '127.0.0.1';
	port: number;
	/** Messages received, oldest first. */
	messages: PeerMessage[];
	/** Successful logins: method and user. */
	logins: { method: string; user: string }[];
	/** Connections accepted so far. */
	connections(): number;
	/** Connections open right now. */
	openConnections(): number;
	/** Addresses refused at RCPT TO with 550 5.1.1 (a mailbox that does not exist), changeable at any time. */
	refusedRecipients: Set<string>;
	close(): Promise<void>;
}

export interface PeerMessage {
	envelopeFrom: string;
	envelopeTo: string[];
	messageId: string | null;
	subject: string;
	from: string;
	text: string;
	html: string | null;
	raw: string;
	user: string | null;
}

function smtpError(message: string, responseCode: number) {
	return Object.assign(new Error(message), { responseCode });
}

export async function startSmtpPeer(options: PeerOptions = {}): Promise<SmtpPeer> {
	if (options.fault === 'drop-on-connect' || options.fault === 'no-greeting')
		return startRawPeer(options.fault);

	const security = options.security ?? 'plain';
	const auth = options.auth ?? 'none';
	const fault = options.fault;
	const messages: PeerMessage[] = [];
	const logins: SmtpPeer['logins'] = [];
	const refusedRecipients = new Set<string>();
	let accepted = 0;

	const certs = getTestCertificates();
	const pair =
		options.certificate === 'expired'
			? certs.expired
			: options.certificate === 'other-host'
				? certs.otherHost
				: certs.server;
	const disabled: string[] = [];
	if (security === 'plain') disabled.push('STARTTLS');
	if (auth === 'none') disabled.push('AUTH');

	const serverOptions: SMTPServerOptions = {
		name: 'peer.postern.test',
		secure: security === 'tls',
		key: security === 'plain' ? undefined : pair.key,
		cert: security === 'plain' ? undefined : pair.cert,
		disabledCommands: disabled,
		authMethods: auth === 'xoauth2' ? ['XOAUTH2'] : (options.authMethods ?? ['PLAIN', 'LOGIN']),
		authOptional: auth === 'none',
		// Plain peers take AUTH in clear (a LAN relay); the STARTTLS peer wants TLS first, like Exchange.
		allowInsecureAuth: security === 'plain',
		disableReverseLookup: true,
		closeTimeout: 200,
		logger: false,
		onConnect(_session, callback) {
			accepted++;
			if (fault === 'greeting-421')
				return callback(
					smtpError('peer.postern.test Service not available, closing transmission channel', 421)
				);
			callback();
		},
		onAuth(login, session, callback) {
			if (fault === 'auth-535-5.7.139')
				return callback(
					smtpError(
						'5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.',
						535
					)
				);
			if (fault === 'auth-504-5.7.4')
				return callback(smtpError('5.7.4 Unrecognized authentication type', 504));
			if (fault === 'auth-550-5.7.30')
				return callback(
					smtpError('5.7.30 Basic authentication is not supported for Client Submission.', 550)
				);
			if (fault === 'auth-535-5.7.8')
				return callback(smtpError('5.7.8 Error: authentication failed', 535));
			if (login.method === 'XOAUTH2') return checkXoauth2(login, session, callback);
			if (login.username === PEER_USER.username && login.password === PEER_USER.password) {
				logins.push({ method: login.method, user: login.username });
				return callback(null, { user: login.username });
			}
			callback(smtpError('5.7.8 Error: authentication failed', 535));
		},
		onMailFrom(_address, _session, callback) {
			if (fault === 'mail-530-5.7.57')
				return callback(smtpError('5.7.57 Client not authenticated to send mail.', 530));
			if (fault === 'mail-550-5.7.60')
				return callback(
					smtpError('5.7.60 SMTP; Client does not have permissions to send as this sender', 550)
				);
			if (fault === 'mail-432-4.3.2')
				return callback(
					smtpError('4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded', 432)
				);
			callback();
		},
		onRcptTo(address, _session, callback) {
			if (refusedRecipients.has(address.address.toLowerCase()))
				return callback(smtpError('5.1.1 RESOLVER.ADR.RecipNotFound; not found', 550));
			if (fault === 'rcpt-550-5.7.60')
				return callback(
					smtpError('5.7.60 SMTP; Client does not have permissions to send as this sender', 550)
				);
			callback();
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', async () => {
				const raw = Buffer.concat(chunks);
				try {
					const parsed = await simpleParser(raw);
					messages.push({
						envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
						envelopeTo: session.envelope.rcptTo.map((r) => r.address),
						messageId: parsed.messageId ?? null,
						subject: parsed.subject ?? '',
						from: parsed.from?.text ?? '',
						text: parsed.text ?? '',
						html: typeof parsed.html === 'string' ? parsed.html : null,
						raw: raw.toString('utf8'),
						user: typeof session.user === 'string' ? session.user : null
					});
					callback();
				} catch (error) {
					callback(error as Error);
				}
			});
		}
	};

	function checkXoauth2(
		login: { username?: string; accessToken?: string },
		_session: SMTPServerSession,
		callback: Parameters<NonNullable<SMTPServerOptions['onAuth']>>[2]
	) {
		const token = login.accessToken ?? '';
		const claims = decodeTokenClaims(token);
		const good =
			isMockIssuedToken(token) &&
			checkTokenClaims(claims, 'global').ok &&
			(!options.mailbox || login.username?.toLowerCase() === options.mailbox.toLowerCase());
		if (good) {
			logins.push({ method: 'XOAUTH2', user: login.username ?? '' });
			return callback(null, { user: login.username });
		}
		if (options.xoauth2Rejection === 'sasl')
			return callback(null, {
				data: { status: '401', schemes: 'bearer', scope: 'https://outlook.office365.com/.default' }
			});
		callback(smtpError('5.7.3 Authentication unsuccessful', 535));
	}

	const server = new SMTPServer(serverOptions);
	server.on('error', () => {
		// a client that hangs up mid-handshake is what some tests do on purpose
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.server.address() as net.AddressInfo;
	return {
		host: '127.0.0.1',
		port: address.port,
		messages,
		logins,
		refusedRecipients,
		connections: () => accepted,
		openConnections: () => server.connections.size,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

/** A TCP listener that hangs up at once, or accepts and never says a word. */
async function startRawPeer(fault: 'drop-on-connect' | 'no-greeting'): Promise<SmtpPeer> {
	let accepted = 0;
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		accepted++;
		if (fault === 'drop-on-connect') return socket.destroy();
		sockets.add(socket);
		socket.on('error', () => {});
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address() as net.AddressInfo;
	return {
		host: '127.0.0.1',
		port: address.port,
		messages: [],
		logins: [],
		refusedRecipients: new Set(),
		connections: () => accepted,
		openConnections: () => sockets.size,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			})
	};
}
