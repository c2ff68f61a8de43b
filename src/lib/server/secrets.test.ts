import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSecretKey, openSecret, sealSecret, SecretKeyError, useSecretKey } from './secrets.js';

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);

/** Changes one character of one dot-separated part of a sealed value. */
function tamper(sealed: string, part: number) {
	const parts = sealed.split('.');
	const text = parts[part];
	parts[part] = (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
	return parts.join('.');
}

describe('sealed secrets', () => {
	beforeEach(() => useSecretKey(KEY_A));

	it('open to what was sealed, and never show it in the sealed form', () => {
		for (const plain of ['', 'smtp password', 'ünïcødé 🔑 ключ', 'x'.repeat(10_000)]) {
			const sealed = sealSecret(plain);
			expect(sealed.startsWith('v1.')).toBe(true);
			if (plain) expect(sealed).not.toContain(plain);
			expect(openSecret(sealed)).toBe(plain);
		}
	});

	it('differ each time the same value is sealed (random IV)', () => {
		expect(sealSecret('same')).not.toBe(sealSecret('same'));
	});

	it('refuse a value altered in its IV, tag or ciphertext', () => {
		const sealed = sealSecret('the real password');
		for (const part of [1, 2, 3])
			expect(() => openSecret(tamper(sealed, part))).toThrow(SecretKeyError);
		expect(() => openSecret(sealed.slice(0, -2))).toThrow(SecretKeyError);
	});

	it('refuse to open with another key, with a clear error', () => {
		const sealed = sealSecret('the real password');
		useSecretKey(KEY_B);
		expect(() => openSecret(sealed)).toThrow(/wrong key, or the value was altered/);
	});

	it('refuse what is not a sealed value', () => {
		for (const junk of ['', 'plain text', 'v2.a.b.c', 'v1.onlyiv'])
			expect(() => openSecret(junk), junk).toThrow(SecretKeyError);
	});

	it('need a 32-byte key', () => {
		expect(() => useSecretKey(Buffer.alloc(16))).toThrow(SecretKeyError);
		expect(() => useSecretKey(Buffer.alloc(33))).toThrow(SecretKeyError);
	});
});

describe('the secret key', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'postern-key-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('is generated into the data folder with mode 0600 on first start, and reused after', () => {
		const dataDir = path.join(dir, 'data', 'nested');
		expect(loadSecretKey({ dataDir })).toBe('new-file');
		const file = path.join(dataDir, 'secret.key');
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
		const sealed = sealSecret('kept across restarts');

		useSecretKey(KEY_B);
		expect(loadSecretKey({ dataDir })).toBe('file');
		expect(openSecret(sealed)).toBe('kept across restarts');
	});

	it('file is refused when other users can read it', () => {
		loadSecretKey({ dataDir: dir });
		const file = path.join(dir, 'secret.key');
		chmodSync(file, 0o644);
		expect(() => loadSecretKey({ dataDir: dir })).toThrow(/readable by other users .*chmod 600/);
		chmodSync(file, 0o640);
		expect(() => loadSecretKey({ dataDir: dir })).toThrow(SecretKeyError);
	});

	it('file is refused when it does not hold 32 bytes', () => {
		writeFileSync(path.join(dir, 'secret.key'), randomBytes(16).toString('base64'), {
			mode: 0o600
		});
		expect(() => loadSecretKey({ dataDir: dir })).toThrow(/does not hold a 32-byte base64 key/);
	});

	it('comes from POSTERN_SECRET_KEY when given, and no file is written', () => {
		const fromEnv = KEY_B.toString('base64');
		expect(loadSecretKey({ fromEnv, dataDir: dir })).toBe('env');
		const sealed = sealSecret('x');
		useSecretKey(KEY_B);
		expect(openSecret(sealed)).toBe('x');
		expect(() => statSync(path.join(dir, 'secret.key'))).toThrow();
	});
});
