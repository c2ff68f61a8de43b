/**
 * Mock mode: each message the mocked Microsoft Graph accepts (src/mocks/microsoft.ts) is handed to the
 * embedded sink as it was posted (the same MIME, over SMTP on loopback), so it shows in /dev/mailbox like
 * mail sent through an SMTP server. The recipients are the message's To and Cc, as Graph reads them.
 */
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { onGraphMessage } from '../../../mocks/microsoft.js';

let stop: (() => void) | null = null;

export function relayGraphMailToSink(sinkPort: number) {
	stop?.();
	const relay = nodemailer.createTransport({
		host: '127.0.0.1',
		port: sinkPort,
		secure: false,
		ignoreTLS: true
	});
	stop = onGraphMessage((message) => {
		const headers = message.mime.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
		const field = (name: string) =>
			headers
				.split(/\r?\n/)
				.filter((line) => line.toLowerCase().startsWith(`${name}:`))
				.map((line) => line.slice(name.length + 1));
		const to = [...field('to'), ...field('cc')]
			.flatMap((value) => addressparser(value, { flatten: true }))
			.map((address) => address.address)
			.filter(Boolean);
		if (to.length === 0) return;
		void relay
			.sendMail({ envelope: { from: message.mailbox, to }, raw: message.mime })
			.catch((error: Error) =>
				console.warn(`Graph mock: the dev mailbox refused a message: ${error.message}`)
			);
	});
}
