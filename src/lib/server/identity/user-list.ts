/**
 * A page of a local domain's users for /admin/users, in one query at any size: keyset pagination on the
 * lower-cased username (unique per domain, so it is a cursor), an optional search on the start of the
 * username, e-mail or display name (each served by an index, db/schema/identity.ts), and each user's TOTP
 * state joined in, not read per row.
 */
import { and, asc, desc, eq, gt, lt, or, sql, type SQL } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { LOCAL_PERSON_KEY_PREFIX } from '../directory/local.js';
import { isUuid } from './common.js';
import type { TotpState } from './users.js';

export const USERS_PAGE_SIZE = 50;

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

export interface UserListQuery {
	/** The start of a username, e-mail address or display name, any case. */
	search?: string;
	/** A page after this cursor, or before it (the previous page); neither: the first page. */
	after?: string | null;
	before?: string | null;
	pageSize?: number;
}

const users = tables.users;
const enrollments = tables.totpEnrollments;
const usernameKey = sql<string>`lower(${users.username})`;

/** `%`, `_` and `\` typed in a search are letters, not patterns. */
function likePrefix(text: string) {
	return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listLocalUsersPage(
	domainId: string,
	query: UserListQuery = {}
): Promise<UserListPage> {
	const empty = { users: [], next: null, previous: null };
	if (!isUuid(domainId)) return empty;
	const pageSize = query.pageSize ?? USERS_PAGE_SIZE;
	const backwards = !query.after && Boolean(query.before);
	const conditions: (SQL | undefined)[] = [eq(users.domainId, domainId)];
	const search = query.search?.trim().toLowerCase();
	if (search) {
		const prefix = likePrefix(search);
		conditions.push(
			or(
				sql`${usernameKey} like ${prefix}`,
				sql`lower(${users.email}) like ${prefix}`,
				sql`lower(${users.displayName}) like ${prefix}`
			)
		);
	}
	if (query.after) conditions.push(gt(usernameKey, query.after.toLowerCase()));
	else if (query.before) conditions.push(lt(usernameKey, query.before.toLowerCase()));

	const rows = await db()
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
		.where(and(...conditions))
		.orderBy(backwards ? desc(usernameKey) : asc(usernameKey))
		.limit(pageSize + 1);

	const more = rows.length > pageSize;
	const page = rows.slice(0, pageSize);
	if (backwards) page.reverse();
	const list: UserListRow[] = page.map((row) => ({
		id: row.id,
		username: row.username,
		displayName: row.displayName,
		email: row.email,
		disabled: row.disabledAt !== null,
		totp: row.enrollmentId === null ? 'none' : row.confirmedAt ? 'enrolled' : 'pending'
	}));
	const first = list[0]?.username.toLowerCase() ?? null;
	const last = list.at(-1)?.username.toLowerCase() ?? null;
	return {
		users: list,
		// forwards, a next page exists when we read one row more; backwards, the page we came from is next
		next: backwards ? last : more ? last : null,
		previous: backwards ? (more ? first : null) : query.after ? first : null
	};
}
