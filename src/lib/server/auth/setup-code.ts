/**
 * The one-time setup code (as Jenkins' initialAdminPassword and Keycloak's bootstrap admin): the server listens
 * on every interface, so the first visitor to /setup must prove they can read the server's log or data folder
 * before the site's console accounts are created.
 *
 * The database holds the code (sealed with the site key), so every instance sharing one PostgreSQL accepts the
 * same code and can print it; each instance also writes it to `<data folder>/setup-code` (mode 0600). Both go
 * once setup completes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { openSecret, sealSecret } from '../secrets.js';
import { normaliseRecoveryCode } from './recovery-codes.js';

export const SETUP_CODE_FILE = 'setup-code';
const META_KEY = 'setup_code';
// Crockford base32 (no I, L, O, U): read from a terminal and typed by hand without ambiguity.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function setupCodeFile(dataDir: string) {
	return path.join(dataDir, SETUP_CODE_FILE);
}

/** 16 characters of 5 random bits each (80 bits), shown as four groups of four. */
export function newSetupCode(): string {
	const bytes = randomBytes(16);
	let out = '';
	for (const byte of bytes) out += ALPHABET[byte & 31];
	return out.match(/.{4}/g)!.join('-');
}

/** `unwritten`: why the file could not be written, when it could not. */
export function setupCodeBanner(code: string, file: string, unwritten?: string) {
	const rule = '*'.repeat(72);
	return [
		'',
		rule,
		`  Postern first-run setup code: ${code}`,
		'  Enter it on /setup to create the console accounts.',
		unwritten
			? `  Could not write ${file} (${unwritten}): copy the code from here.`
			: `  It is also in ${file} (readable by this user only).`,
		rule,
		''
	].join('\n');
}

function reason(error: unknown) {
	return (error as NodeJS.ErrnoException).code ?? String(error);
}

async function storedCode(): Promise<string | null> {
	const [row] = await db().select().from(tables.appMeta).where(eq(tables.appMeta.key, META_KEY));
	return row ? openSecret(row.value) : null;
}

/**
 * At start-up while no account exists: the code every instance shares (the first to start creates it; the
 * others and later restarts reuse it), written to the data folder and printed with `print`.
 */
export async function prepareSetupCode(
	dataDir: string,
	print: (text: string) => void = () => {}
): Promise<string> {
	// Instances starting together race here: the insert that loses changes nothing, and all read the winner's.
	await db()
		.insert(tables.appMeta)
		.values({ key: META_KEY, value: sealSecret(newSetupCode()) })
		.onConflictDoNothing();
	const code = (await storedCode())!;
	const file = setupCodeFile(dataDir);
	let unwritten: string | undefined;
	try {
		mkdirSync(dataDir, { recursive: true, mode: 0o700 });
		writeFileSync(file, `${code}\n`, { mode: 0o600 });
		// The mode given above applies only when the file is created: tighten one left over from before.
		chmodSync(file, 0o600);
	} catch (error) {
		// On PostgreSQL the data folder may be read-only; the database and the log still carry the code.
		unwritten = reason(error);
	}
	print(setupCodeBanner(code, file, unwritten));
	return code;
}

/** Whether `input` is the current setup code (letter case, spaces and dashes aside), compared in constant time. */
export async function isSetupCodeRight(input: string): Promise<boolean> {
	const code = await storedCode();
	if (!code) return false;
	// Hashing both sides gives equal lengths, which timingSafeEqual needs, without revealing the code's length.
	const digest = (text: string) =>
		createHash('sha256').update(normaliseRecoveryCode(text)).digest();
	return timingSafeEqual(digest(input), digest(code));
}

/** The field error for what was typed into "Setup code", or null when it is the code. */
export async function findSetupCodeProblem(input: string): Promise<string | null> {
	if (!input.trim())
		return 'Enter the setup code: it is in the server log and in the data folder’s setup-code file.';
	if (!(await isSetupCodeRight(input)))
		return 'That is not the setup code. Copy it from the server log or the setup-code file.';
	return null;
}

/** Once setup is done: the code is spent, in the database and in this instance's data folder. */
export async function eraseSetupCode(dataDir: string) {
	await db().delete(tables.appMeta).where(eq(tables.appMeta.key, META_KEY));
	try {
		rmSync(setupCodeFile(dataDir), { force: true });
	} catch {
		// Not there to remove (a folder that could not be written); the code is void without its row anyway.
	}
}
