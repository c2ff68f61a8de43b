/** The console accounts: first-run setup, sign-in, password changes and resets. */
import { count, eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { Admin } from '../db/schema/index.js';
import { hashPassword, spendPasswordVerification, verifyPassword } from './password.js';
import { regenerateRecoveryCodes } from './recovery-codes.js';
import { invalidateAdminSessions } from './session.js';

let setupDone = false;

/** True once any admin exists. Cached once true: accounts are never all deleted. */
export async function isSetupDone(): Promise<boolean> {
	if (setupDone) return true;
	const [row] = await db().select({ n: count() }).from(tables.admins);
	setupDone = (row?.n ?? 0) > 0;
	return setupDone;
}

/** Forget the cached answer (tests that reset the database). */
export function forgetSetupState() {
	setupDone = false;
}

export interface SetupInput {
	adminUsername: string;
	adminPassword: string;
	supportUsername: string;
	supportPassword: string;
}

/**
 * Creates the UI Admin and UI Primary Customer Support accounts and the admin's recovery codes, in one
 * transaction. Returns null when setup had already been done (a second browser got there first).
 */
export async function completeSetup(
	input: SetupInput
): Promise<{ admin: Admin; codes: string[] } | null> {
	const [adminHash, supportHash] = await Promise.all([
		hashPassword(input.adminPassword),
		hashPassword(input.supportPassword)
	]);
	const result = await db().transaction(async (tx) => {
		// Serialises concurrent setups; the loser sees the winner's rows and gives up.
		await tx.execute(sql`select pg_advisory_xact_lock(7151)`);
		const [{ n }] = await tx.select({ n: count() }).from(tables.admins);
		if (n > 0) return null;
		const [admin] = await tx
			.insert(tables.admins)
			.values({ username: input.adminUsername, role: 'admin', passwordHash: adminHash })
			.returning();
		await tx
			.insert(tables.admins)
			.values({ username: input.supportUsername, role: 'support', passwordHash: supportHash });
		const codes = await regenerateRecoveryCodes(admin.id, tx);
		return { admin, codes };
	});
	if (result) setupDone = true;
	return result;
}

export async function findAdminByUsername(username: string): Promise<Admin | undefined> {
	const [row] = await db()
		.select()
		.from(tables.admins)
		.where(eq(sql`lower(${tables.admins.username})`, username.toLowerCase()));
	return row;
}

export async function findAdminById(id: string): Promise<Admin | undefined> {
	const [row] = await db().select().from(tables.admins).where(eq(tables.admins.id, id));
	return row;
}

/** Checks a username and password; the same time is spent whether or not the account exists. */
export async function verifyAdminCredentials(
	username: string,
	password: string
): Promise<Admin | null> {
	const admin = await findAdminByUsername(username);
	if (!admin) {
		await spendPasswordVerification(password);
		return null;
	}
	const ok = await verifyPassword(admin.passwordHash, password);
	return ok && !admin.disabledAt ? admin : null;
}

/**
 * Replaces an account's password and ends its sessions: whoever signed in with the old password (or holds a
 * stolen cookie) is out. `keepSessionToken` spares the one session still in use when the account's owner made
 * the change themselves; a token of another account's session spares nothing here.
 */
export async function setAdminPassword(
	adminId: string,
	password: string,
	options: { keepSessionToken?: string | null } = {}
) {
	const passwordHash = await hashPassword(password);
	await db()
		.update(tables.admins)
		.set({ passwordHash, passwordChangedAt: new Date() })
		.where(eq(tables.admins.id, adminId));
	await invalidateAdminSessions(adminId, options.keepSessionToken ?? undefined);
}
