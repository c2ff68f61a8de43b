/**
 * A page of a local domain's users for /admin/users, in one query at any size: keyset pagination on the
 * lower-cased username (unique per domain, so it is a cursor), an optional search on the start of the
 * username, e-mail or display name (each served by an index, db/schema/identity.ts), and each user's TOTP
 * state joined in, not read per row.
 */
import { and, eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { LIST_PAGE_SIZE, readKeysetPage, type PageQuery } from '../db/keyset-pages.js';
import { LOCAL_PERSON_KEY_PREFIX } from '../directory/local.js';
import { isUuid } from './common.js';
import type { TotpState } from './users.js';

export const USERS_PAGE_SIZE = LIST_PAGE_SIZE;

export interface UserListRow {
	id: string;
	username: string;
	displayName: string;
	email: string | null;
	disabled: boolean;
	totp: TotpState;
}

export interface UserListPage {
	users: UserListRow[];
	/** Cursors of the next and the previous page (null: there is none). */
	next: string | null;
	previous: string | null;
}

/** The start of a username, e-mail address or display name (any case), and the page wanted. */
export type UserListQuery = PageQuery;

const users = tables.users;
const enrollments = tables.totpEnrollments;
const usernameKey = sql<string>`lower(${users.username})`;

export async function listLocalUsersPage(
	domainId: string,
	query: UserListQuery = {}
): Promise<UserListPage> {
	if (!isUuid(domainId)) return { users: [], next: null, previous: null };
	const page = await readKeysetPage(
		{
			key: usernameKey,
			searchOn: [usernameKey, sql`lower(${users.email})`, sql`lower(${users.displayName})`],
			where: [eq(users.domainId, domainId)],
			read: (where, orderBy, limit) =>
				db()
					.select({
						id: users.id,
						username: users.username,
						displayName: users.displayName,
						email: users.email,
						disabledAt: users.disabledAt,
						confirmedAt: enrollments.confirmedAt,
						enrollmentId: enrollments.id
					})
					.from(users)
					.leftJoin(
						enrollments,
						and(
							eq(enrollments.domainId, users.domainId),
							eq(enrollments.personKey, sql`${LOCAL_PERSON_KEY_PREFIX} || ${users.id}::text`)
						)
					)
					.where(where)
					.orderBy(orderBy)
					.limit(limit),
			keyOf: (row) => row.username.toLowerCase()
		},
		{
			...query,
			after: query.after?.toLowerCase() ?? null,
			before: query.before?.toLowerCase() ?? null
		}
	);
	return {
		users: page.items.map((row) => ({
			id: row.id,
			username: row.username,
			displayName: row.displayName,
			email: row.email,
			disabled: row.disabledAt !== null,
			totp: row.enrollmentId === null ? 'none' : row.confirmedAt ? 'enrolled' : 'pending'
		})),
		next: page.next,
		previous: page.previous
	};
}
