/**
 * The configuration test against peers smtp-server cannot play (raw TCP on loopback): services that are not
 * SMTP at all, and an SMTP server that drops the connection instead of answering the message's final dot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
	smtpDroppingAt,
	startScriptedPeer,
	type PeerScript,
	type ScriptedPeer
} from '../testing/scripted-peer.js';
import { runConfigurationTest } from './config-test.js';
import type { ConfigurationTestResult, SmtpServerSettings } from './types.js';

let peers: ScriptedPeer[] = [];
afterEach(async () => {
	await Promise.all(peers.map((p) => p.close()));
	peers = [];
});

async function peer(script: PeerScript) {
	const started = await startScriptedPeer(script);
	peers.push(started);
	return started;
}

function settingsFor(target: { port: number }): SmtpServerSettings {
	return {
		name: 'Odd peer',
		host: '127.0.0.1',
		port: target.port,
		security: 'none',
		auth: { type: 'none' },
		fromAddress: 'noreply@example.com',
		fromName: null,
		verifyTls: true,
		caPem: null,
		timeoutSeconds: 2
	};
}

function send(target: { port: number }) {
	return runConfigurationTest(settingsFor(target), { mode: 'send', to: 'ops@example.com' });
}

const serverLines = (result: ConfigurationTestResult) =>
	result.transcript.filter((l) => l.dir === 'server').map((l) => l.text);
const failedStep = (result: ConfigurationTestResult) =>
	result.steps.find((s) => s.ok === false)?.id;

const COOKIE = 'sid=COOKIE-MARKER-7f3a9c; Path=/; HttpOnly';
const HTTP_ANSWER = [
	'HTTP/1.1 400 Bad Request',
	'Server: nginx/1.27.0',
	`Set-Cookie: ${COOKIE}`,
	'Content-Type: text/html',
	'Connection: close',
	'',
	'<html><body>Bad Request</body></html>'
].join('\r\n');

describe('configuration test: a service that is not SMTP', () => {
	it('an SSH server: says so, names its banner, and what to check', async () => {
		const ssh = await peer({ onConnect: (s) => s.write('SSH-2.0-OpenSSH_9.2\r\n') });
		const result = await send(ssh);
		expect(result.ok).toBe(false);
		expect(failedStep(result)).toBe('greeting');
		expect(result.diagnosis).toMatchObject({ id: 'not-smtp', phase: 'connect' });
		expect(result.diagnosis?.title).toBe('127.0.0.1:' + ssh.port + ' is not an SMTP server');
		expect(result.diagnosis?.explanation).toContain('“SSH-2.0-OpenSSH_9.2”');
		expect(result.diagnosis?.fix).toMatch(/Check Server and Port/);
		expect(result.verdict).toBe(`Server greeting failed: ${result.diagnosis?.title}`);
		expect(serverLines(result)).toEqual(['SSH-2.0-OpenSSH_9.2']);
	});

	it('an HTTP server: its status line only, never its headers or cookies', async () => {
		const web = await peer({ onConnect: (s) => s.write(HTTP_ANSWER) });
		const result = await send(web);
		expect(result.diagnosis?.id).toBe('not-smtp');
		expect(result.diagnosis?.explanation).toContain('“HTTP/1.1 400 Bad Request”');
		expect(serverLines(result)).toEqual(['HTTP/1.1 400 Bad Request']);
		const everything = JSON.stringify(result);
		expect(everything).not.toContain('COOKIE-MARKER');
		expect(everything).not.toMatch(/Set-Cookie|nginx|<html>/i);
	});

	it('shows at most the first 80 printable characters of a long greeting', async () => {
		const banner = `\u0007HTTP/1.1 200 OK \u001b[0m${'x'.repeat(200)}`;
		// the bell and the escape dropped, what follows them kept
		const printable = `HTTP/1.1 200 OK [0m${'x'.repeat(200)}`;
		const chatty = await peer({
			onConnect: (s) => s.write(`${banner}\r\nSet-Cookie: ${COOKIE}\r\n`)
		});
		const result = await send(chatty);
		expect(result.diagnosis?.id).toBe('not-smtp');
		expect(serverLines(result)).toEqual([printable.slice(0, 80)]);
		expect(result.diagnosis?.explanation).toContain(`“${printable.slice(0, 80)}”`);
		expect(JSON.stringify(result)).not.toContain('x'.repeat(81));
		expect(JSON.stringify(result)).not.toContain('COOKIE-MARKER');
	});

	it('an SMTP server refusing service (554 greeting) is still an SMTP server', async () => {
		const refusing = await peer({ onConnect: (s) => s.write('554 No SMTP service here\r\n') });
		const result = await send(refusing);
		expect(result.ok).toBe(false);
		expect(result.diagnosis?.id).not.toBe('not-smtp');
		expect(serverLines(result)).toContain('554 No SMTP service here');
	});
});

describe('configuration test: the connection drops during the message', () => {
	it('after the final dot: the delivery status is unknown, the message may have been delivered', async () => {
		const dropper = await peer(smtpDroppingAt('final-dot'));
		const result = await send(dropper);
		expect(dropper.received()).toMatch(/\r\n\.\r\n$/);
		expect(result.ok).toBe(false);
		expect(failedStep(result)).toBe('send');
		expect(result.diagnosis).toMatchObject({ id: 'delivery-unknown', phase: 'send' });
		expect(result.diagnosis?.title).toMatch(/delivery status is unknown/i);
		expect(result.diagnosis?.explanation).toMatch(/may have been delivered/);
		expect(result.diagnosis?.explanation).toContain('RFC 1047');
		expect(result.diagnosis?.explanation).not.toMatch(/unexpected/i);
		expect(result.verdict).toBe(`Send test e-mail: ${result.diagnosis?.title}`);
	});

	it('before the message was sent (on DATA): not delivered, not "status unknown"', async () => {
		const dropper = await peer(smtpDroppingAt('data-command'));
		const result = await send(dropper);
		expect(dropper.received()).toMatch(/\r\nDATA\r\n$/);
		expect(result.ok).toBe(false);
		expect(result.diagnosis?.id).not.toBe('delivery-unknown');
		expect(result.diagnosis?.explanation).not.toMatch(/may have been delivered/);
	});
});
