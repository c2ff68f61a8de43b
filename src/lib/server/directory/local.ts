/**
 * Local domains: users in the `users` table, passwords as argon2id hashes. An unknown user costs the same
 * argon2 verification as a wrong password, and a disabled user gets the same `null` after it, so neither
 * the answer nor the time tells them apart.
 */
import { and, eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { DomainRow, UserRow } from '../db/schema/index.js';
import { spendPasswordVerification, verifyPassword } from '../auth/password.js';
import type { Directory, DirectoryUser } from './types.js';

export function createLocalDirectory(domain: Pick<DomainRow, 'id' | 'emailAttribute'>): Directory {
	return {
		async authenticate(username, password) {
			const row = await findLocalUser(domain.id, username);
			if (!row) {
				await spendPasswordVerification(password);
				return null;
			}
			const ok = await verifyPassword(row.passwordHash, password);
			if (!ok || row.disabledAt) return null;
			return toDirectoryUser(row, domain.emailAttribute);
		},
		async lookup(username) {
			const row = await findLocalUser(domain.id, username);
			return row ? toDirectoryUser(row, domain.emailAttribute) : null;
		}
	};
}

/** The user of a local domain by username, whatever the letter case. */
export async function findLocalUser(domainId: string, username: string): Promise<UserRow | null> {
	if (!username || username.length > 256) return null;
	const [row] = await db()
		.select()
		.from(tables.users)
		.where(
			and(
				eq(tables.users.domainId, domainId),
				sql`lower(${tables.users.username}) = lower(${username})`
			)
		);
	return row ?? null;
}

/** What a local user's person key starts with (the user id follows), for joins in SQL. */
export const LOCAL_PERSON_KEY_PREFIX = 'user:';

/** A local user's person key (`DirectoryUser.personKey`), shared with TOTP enrollments and OTP limits. */
export function localPersonKey(userId: string) {
	return `${LOCAL_PERSON_KEY_PREFIX}${userId}`;
}

function toDirectoryUser(row: UserRow, emailAttribute: string): DirectoryUser {
	const attributes: Record<string, string[]> = { username: [row.username] };
	if (row.displayName) attributes.displayName = [row.displayName];
	if (row.email) attributes.email = [row.email];
	// Local users have one e-mail field: any attribute name other than "email" finds nothing, as it would in
	// a directory without that attribute.
	const email = emailAttribute.toLowerCase() === 'email' ? row.email?.trim() || null : null;
	return {
		personKey: localPersonKey(row.id),
		username: row.username,
		displayName: row.displayName || row.username,
		email,
		localUserId: row.id,
		dn: null,
		attributes
	};
}
