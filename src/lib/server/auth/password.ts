/** Password hashing with argon2id at the parameters SECURITY.md names (m=19456 KiB, t=2, p=1). */
import { hash, verify } from '@node-rs/argon2';

const PARAMS = {
	algorithm: 2 /* Algorithm.Argon2id: a const enum, unusable under verbatimModuleSyntax */,
	memoryCost: 19456,
	timeCost: 2,
	parallelism: 1
} as const;

export function hashPassword(password: string): Promise<string> {
	return hash(password, PARAMS);
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
	try {
		return await verify(storedHash, password);
	} catch {
		return false;
	}
}

/**
 * A hash of nothing anyone knows, verified when the username does not exist, so an unknown user costs the
 * same time as a wrong password.
 */
let dummy: Promise<string> | undefined;
export async function spendPasswordVerification(password: string): Promise<void> {
	dummy ??= hashPassword(crypto.randomUUID());
	await verifyPassword(await dummy, password);
}
