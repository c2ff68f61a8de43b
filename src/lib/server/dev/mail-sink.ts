/**
 * The dev mode's mail server (mock mode only; never in a production build): smtp-server on a free loopback
 * port that accepts any login (PLAIN, LOGIN, XOAUTH2), offers STARTTLS, and keeps what it receives in memory for
 * /dev/mailbox. A fault switch makes it answer like a failing server, so every error screen can be designed.
 */
import { EventEmitter } from 'node:events';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser } from 'mailparser';

export type SinkFault =
	'none' | 'auth-disabled-5.7.139' | 'concurrency-4.3.2' | 'reject-550' | 'drop';

export interface CapturedMessage {
	id: number;
	receivedAt: string;
	envelopeFrom: string;
	envelopeTo: string[];
	authUser: string | null;
	authMethod: string | null;
	subject: string;
	from: string;
	to: string;
	text: string;
	html: string | null;
	headers: { name: string; value: string }[];
	source: string;
	size: number;
}

const MAX_MESSAGES = 500;

export interface MailSink {
	port: number;
	host: string;
	messages(): CapturedMessage[];
	get(id: number): CapturedMessage | undefined;
	clear(): void;
	setFault(fault: SinkFault): void;
	fault(): SinkFault;
	events: EventEmitter;
	close(): Promise<void>;
}

function smtpError(message: string, code: number) {
	return Object.assign(new Error(message), { responseCode: code });
}

export async function startMailSink(
	options: { key?: string | Buffer; cert?: string | Buffer } = {}
): Promise<MailSink> {
	let messages: CapturedMessage[] = [];
	let nextId = 1;
	let fault: SinkFault = 'none';
	const events = new EventEmitter();

	const serverOptions: SMTPServerOptions = {
		name: 'postern-dev-sink',
		banner: 'Postern dev mail sink (captures everything, delivers nothing)',
		authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
		authOptional: true,
		allowInsecureAuth: true,
		key: options.key,
		cert: options.cert,
		size: 25 * 1024 * 1024,
		onConnect(_session, callback) {
			if (fault === 'drop') return callback(smtpError('Connection dropped (dev fault: drop)', 421));
			callback();
		},
		onAuth(auth, _session, callback) {
			if (fault === 'auth-disabled-5.7.139')
				return callback(
					smtpError(
						'5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. (dev fault)',
						535
					)
				);
			callback(null, { user: auth.username ?? 'anonymous' });
		},
		onMailFrom(_address, _session, callback) {
			if (fault === 'concurrency-4.3.2')
				return callback(
					smtpError('4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded (dev fault)', 432)
				);
			callback();
		},
		onRcptTo(_address, _session, callback) {
			if (fault === 'reject-550')
				return callback(
					smtpError(
						'5.7.60 SMTP; Client does not have permissions to send as this sender (dev fault)',
						550
					)
				);
			callback();
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', async () => {
				const raw = Buffer.concat(chunks);
				try {
					const parsed = await simpleParser(raw);
					const message: CapturedMessage = {
						id: nextId++,
						receivedAt: new Date().toISOString(),
						envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
						envelopeTo: session.envelope.rcptTo.map((r) => r.address),
						authUser: typeof session.user === 'string' ? session.user : null,
						authMethod: session.transmissionType ?? null,
						subject: parsed.subject ?? '(no subject)',
						from: parsed.from?.text ?? '',
						to: Array.isArray(parsed.to)
							? parsed.to.map((t) => t.text).join(', ')
							: (parsed.to?.text ?? ''),
						text: parsed.text ?? '',
						html: typeof parsed.html === 'string' ? parsed.html : null,
						headers: parsed.headerLines.map((h) => ({
							name: h.key,
							value: h.line.slice(h.line.indexOf(':') + 1).trim()
						})),
						source: raw.toString('utf8'),
						size: raw.length
					};
					messages = [message, ...messages].slice(0, MAX_MESSAGES);
					events.emit('message', message.id);
					callback();
				} catch (error) {
					callback(error as Error);
				}
			});
		}
	};
	const server = new SMTPServer(serverOptions);
	server.on('error', () => {
		// a client that misbehaves is its own problem; the sink keeps running
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.server.address();
	const port = typeof address === 'object' && address ? address.port : 0;

	return {
		port,
		host: '127.0.0.1',
		messages: () => messages,
		get: (id) => messages.find((m) => m.id === id),
		clear: () => {
			messages = [];
			events.emit('message', 0);
		},
		setFault: (f) => {
			fault = f;
		},
		fault: () => fault,
		events,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}
