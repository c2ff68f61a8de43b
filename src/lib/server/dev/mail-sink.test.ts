import { afterEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { startMailSink, type MailSink } from './mail-sink.js';

let sink: MailSink | undefined;
afterEach(async () => {
	await sink?.close();
	sink = undefined;
});

function transport(port: number) {
	return nodemailer.createTransport({
		host: '127.0.0.1',
		port,
		secure: false,
		ignoreTLS: true,
		auth: { user: 'someone', pass: 'anything' }
	});
}

describe('dev mail sink', () => {
	it('accepts any login and captures the parsed message', async () => {
		sink = await startMailSink();
		await transport(sink.port).sendMail({
			from: 'Postern <noreply@example.com>',
			to: 'ops@example.com',
			subject: 'Hello sink',
			text: 'plain body',
			html: '<p>html body</p>'
		});
		const [message] = sink.messages();
		expect(message.subject).toBe('Hello sink');
		expect(message.envelopeTo).toEqual(['ops@example.com']);
		expect(message.authUser).toBe('someone');
		expect(message.html).toContain('html body');
		expect(message.headers.some((h) => h.name === 'subject')).toBe(true);
	});

	it('answers with the chosen fault', async () => {
		sink = await startMailSink();
		sink.setFault('reject-550');
		const error = await transport(sink.port)
			.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'x', text: 'y' })
			.then(
				() => null,
				(e: { responseCode?: number }) => e
			);
		expect(error?.responseCode).toBe(550);
		sink.setFault('auth-disabled-5.7.139');
		const authError = await transport(sink.port)
			.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'x', text: 'y' })
			.then(
				() => null,
				(e: { code?: string; responseCode?: number }) => e
			);
		expect(authError?.code).toBe('EAUTH');
		expect(sink.messages()).toHaveLength(0);
	});
});
