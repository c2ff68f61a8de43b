/**
 * The address of a console list with its query: the search and a cursor (db/keyset-pages.ts), and whatever
 * else the list is narrowed by (the users list's domain). Empty values are left out.
 */
export function listHref(base: string, params: [string, string | null | undefined][]): string {
	const query = params
		.filter((p): p is [string, string] => Boolean(p[1]))
		.map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
		.join('&');
	return query ? `${base}?${query}` : base;
}
