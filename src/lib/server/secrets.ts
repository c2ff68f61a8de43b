/**
 * Seals and opens stored secrets (SMTP passwords, client secrets, bind passwords, TOTP keys) with AES-256-GCM.
 * Sealed form: "v1.<iv>.<tag>.<ciphertext>", each part base64url. The key comes from POSTERN_SECRET_KEY or from
 * a key file created (mode 0600) in the data folder on first start.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KEY_FILE = 'secret.key';
const PREFIX = 'v1';
let key: Buffer | undefined;

export class SecretKeyError extends Error {}

export function useSecretKey(raw: Buffer) {
	if (raw.length !== 32) throw new SecretKeyError('the secret key must be 32 bytes');
	key = raw;
}

/** Loads the key from the variable, or from (or into) the data folder's key file. */
export function loadSecretKey(options: {
	fromEnv?: string;
	dataDir: string;
}): 'env' | 'file' | 'new-file' {
	if (options.fromEnv) {
		useSecretKey(Buffer.from(options.fromEnv, 'base64'));
		return 'env';
	}
	const file = path.join(options.dataDir, KEY_FILE);
	if (existsSync(file)) {
		const mode = statSync(file).mode & 0o777;
		if (mode & 0o077)
			throw new SecretKeyError(
				`${file} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`
			);
		const raw = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
		if (raw.length !== 32)
			throw new SecretKeyError(
				`${file} does not hold a 32-byte base64 key (found ${raw.length} bytes)`
			);
		useSecretKey(raw);
		return 'file';
	}
	mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
	const raw = randomBytes(32);
	writeFileSync(file, raw.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
	useSecretKey(raw);
	return 'new-file';
}

function currentKey(): Buffer {
	if (!key) throw new SecretKeyError('no secret key loaded');
	return key;
}

/**
 * An HMAC-SHA-256 of `text` under a key derived from the site key: a fingerprint that may be stored next to
 * the data (it proves two inputs equal) without letting anyone who reads the database guess a secret inside
 * the input by trying candidates, as a plain hash would.
 */
export function keyedFingerprint(text: string): string {
	const fingerprintKey = createHmac('sha256', currentKey())
		.update('postern fingerprint v1')
		.digest();
	return createHmac('sha256', fingerprintKey).update(text).digest('hex');
}

export function sealSecret(plain: string): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', currentKey(), iv);
	const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
	return [PREFIX, iv, cipher.getAuthTag(), data]
		.map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
		.join('.');
}

/** Opens a sealed value; throws SecretKeyError when the key is not the one it was sealed with. */
export function openSecret(sealed: string): string {
	const [version, iv, tag, data] = sealed.split('.');
	if (version !== PREFIX || !iv || !tag || data === undefined)
		throw new SecretKeyError('not a sealed secret');
	try {
		const decipher = createDecipheriv('aes-256-gcm', currentKey(), Buffer.from(iv, 'base64url'));
		decipher.setAuthTag(Buffer.from(tag, 'base64url'));
		return Buffer.concat([
			decipher.update(Buffer.from(data, 'base64url')),
			decipher.final()
		]).toString('utf8');
	} catch {
		throw new SecretKeyError(
			'the secret key does not open this value (wrong key, or the value was altered)'
		);
	}
}
