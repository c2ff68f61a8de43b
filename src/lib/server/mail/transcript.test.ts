import { describe, expect, it } from 'vitest';
import { createTranscriptRecorder, redactSecretsDeep, redactText } from './transcript.js';

const PASSWORD = 'hunter2-marker-password';

function feed(lines: ['client' | 'server', string][], secrets: string[] = [PASSWORD]) {
	const recorder = createTranscriptRecorder(secrets);
	for (const [dir, text] of lines) recorder.logger.debug({ tnx: dir }, text);
	return recorder.lines();
}

describe('transcript recorder', () => {
	it('keeps AUTH PLAIN’s mechanism and hides its initial response', () => {
		const initial = Buffer.from(`\u0000mailer\u0000${PASSWORD}`).toString('base64');
		expect(
			feed([
				['client', `AUTH PLAIN ${initial}`],
				['server', '235 2.7.0 Accepted']
			])
		).toEqual([
			{ dir: 'client', text: 'AUTH PLAIN [redacted]' },
			{ dir: 'server', text: '235 2.7.0 Accepted' }
		]);
	});

	it('hides every client line of an AUTH LOGIN exchange, and only those', () => {
		const lines = feed([
			['client', 'AUTH LOGIN'],
			['server', '334 VXNlcm5hbWU6'],
			['client', Buffer.from('mailer').toString('base64')],
			['server', '334 UGFzc3dvcmQ6'],
			['client', Buffer.from(PASSWORD).toString('base64')],
			['server', '535 5.7.8 Authentication failed'],
			['client', 'QUIT']
		]);
		expect(lines.map((l) => l.text)).toEqual([
			'AUTH LOGIN',
			'334 VXNlcm5hbWU6',
			'[redacted]',
			'334 UGFzc3dvcmQ6',
			'[redacted]',
			'535 5.7.8 Authentication failed',
			'QUIT'
		]);
	});

	it('hides an XOAUTH2 token and the empty answer to its error challenge', () => {
		const token = 'eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL291dGxvb2sifQ.c2lnbmF0dXJl';
		const initial = Buffer.from(`user=a@b.c\u0001auth=Bearer ${token}\u0001\u0001`).toString(
			'base64'
		);
		const lines = feed([
			['client', `AUTH XOAUTH2 ${initial}`],
			['server', '334 eyJzdGF0dXMiOiI0MDEifQ=='],
			['client', ''],
			['server', '535 5.7.3 Authentication unsuccessful']
		]);
		expect(lines.map((l) => l.text)).toEqual([
			'AUTH XOAUTH2 [redacted]',
			'334 eyJzdGF0dXMiOiI0MDEifQ==',
			'[redacted]',
			'535 5.7.3 Authentication unsuccessful'
		]);
	});

	it('replaces a known secret and its base64 form wherever it shows up, server lines included', () => {
		const lines = feed([
			['server', `535 bad password ${PASSWORD}`],
			['server', `535 echo ${Buffer.from(PASSWORD).toString('base64')}`]
		]);
		expect(JSON.stringify(lines)).not.toContain(PASSWORD);
		expect(JSON.stringify(lines)).not.toContain(Buffer.from(PASSWORD).toString('base64'));
	});

	it('hides a token added once it is known, in earlier lines too', () => {
		const recorder = createTranscriptRecorder();
		recorder.note('token opaque-token-value-123 issued');
		recorder.addSecret('opaque-token-value-123');
		expect(recorder.lines()).toEqual([{ dir: 'info', text: 'token [redacted] issued' }]);
	});

	it('splits multi-line replies into lines', () => {
		expect(
			feed([['server', '250-a.example\n250-PIPELINING\n250 AUTH PLAIN']]).map((l) => l.text)
		).toEqual(['250-a.example', '250-PIPELINING', '250 AUTH PLAIN']);
	});

	it('passes nodemailer’s other events to listeners without showing them', () => {
		const recorder = createTranscriptRecorder();
		const seen: string[] = [];
		recorder.onEvent((e) => seen.push(`${e.kind}:${String(e.data.action ?? '')}`));
		recorder.logger.info({ tnx: 'smtp', action: 'authenticated' }, 'User %s authenticated', '"x"');
		expect(seen).toEqual(['event:authenticated']);
		expect(recorder.lines()).toEqual([]);
	});
});

describe('redaction helpers', () => {
	it('hides bearer tokens and JWT-shaped strings without being told them', () => {
		expect(redactText('Authorization: Bearer abc.def-ghi_jkl')).toBe(
			'Authorization: Bearer [redacted]'
		);
		expect(redactText('token eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.sig here')).toBe(
			'token [redacted] here'
		);
	});

	it('redacts every string of a structure, keys included', () => {
		const value = { a: [`x ${PASSWORD}`, { [PASSWORD]: 1, b: 'fine' }], when: new Date(0), n: 3 };
		const clean = redactSecretsDeep(value, [PASSWORD]);
		expect(JSON.stringify(clean)).not.toContain(PASSWORD);
		expect(clean.when).toEqual(new Date(0));
		expect(clean.n).toBe(3);
	});
});
