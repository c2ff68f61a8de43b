/**
 * A page of a console list in one query at any size: keyset pagination on a unique string key (a lower-cased
 * name, say), so page 1,000 costs what page 1 does, and a search on the start of one or more lower-cased
 * columns. Each list's module runs the query (its columns, its joins); this holds the conditions, the order,
 * the limit and the cursors of the pages before and after, the same for every list.
 */
import { and, asc, desc, gt, lt, or, sql, type SQL } from 'drizzle-orm';

export const LIST_PAGE_SIZE = 50;

export interface PageQuery {
	/** The start of what the list searches (a name, a username ...), any case. */
	search?: string;
	/** A page after this cursor, or before it (the previous page); neither: the first page. */
	after?: string | null;
	before?: string | null;
	pageSize?: number;
}

export interface Page<T> {
	items: T[];
	/** Cursors of the next and the previous page (null: there is none). */
	next: string | null;
	previous: string | null;
}

/** `%`, `_` and `\` typed in a search are letters, not patterns. */
export function likePrefix(text: string) {
	return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface KeysetList<T> {
	/** The unique string the list is ordered by; a cursor is its value. */
	key: SQL<string>;
	/** Lower-cased expressions a search matches the start of (each backed by a text_pattern_ops index). */
	searchOn: SQL[];
	/** Conditions every page has (the domain of a user list ...). */
	where?: SQL[];
	/** The one query: these conditions, this order, this many rows. */
	read: (where: SQL | undefined, orderBy: SQL, limit: number) => Promise<T[]>;
	/** A row's key, as `key` computes it. */
	keyOf: (row: T) => string;
}

export async function readKeysetPage<T>(list: KeysetList<T>, query: PageQuery): Promise<Page<T>> {
	const pageSize = query.pageSize ?? LIST_PAGE_SIZE;
	const backwards = !query.after && Boolean(query.before);
	const conditions: (SQL | undefined)[] = [...(list.where ?? [])];
	const search = query.search?.trim().toLowerCase();
	if (search) {
		const prefix = likePrefix(search);
		conditions.push(or(...list.searchOn.map((column) => sql`${column} like ${prefix}`)));
	}
	if (query.after) conditions.push(gt(list.key, query.after));
	else if (query.before) conditions.push(lt(list.key, query.before));
	const rows = await list.read(
		and(...conditions),
		backwards ? desc(list.key) : asc(list.key),
		pageSize + 1
	);
	const more = rows.length > pageSize;
	const items = rows.slice(0, pageSize);
	if (backwards) items.reverse();
	const first = items.length ? list.keyOf(items[0]) : null;
	const last = items.length ? list.keyOf(items[items.length - 1]) : null;
	return {
		items,
		// forwards, a next page exists when we read one row more; backwards, the page we came from is next
		next: backwards ? last : more ? last : null,
		previous: backwards ? (more ? first : null) : query.after ? first : null
	};
}

/** A list's page, search and cursors as the URL gives them (?q=, ?after=, ?before=), bounded in length. */
export function readPageQuery(url: URL): PageQuery & { filtered: boolean } {
	const search = (url.searchParams.get('q') ?? '').slice(0, 200);
	const after = url.searchParams.get('after')?.slice(0, 400) || null;
	const before = url.searchParams.get('before')?.slice(0, 400) || null;
	return { search, after, before, filtered: Boolean(search.trim() || after || before) };
}

/** What ListPage's `paging` needs from the server: the list's address, its search and cursors, and its noun. */
export function pagingOf(
	base: string,
	noun: string,
	query: ReturnType<typeof readPageQuery>,
	page: Page<unknown>
) {
	return {
		base,
		noun,
		search: query.search ?? '',
		next: page.next,
		previous: page.previous,
		pageSize: query.pageSize ?? LIST_PAGE_SIZE,
		filtered: query.filtered
	};
}
