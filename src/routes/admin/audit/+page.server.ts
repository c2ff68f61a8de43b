import { listAuditPage } from '#lib/server/audit.js';
import type { PageServerLoad } from './$types';

/** An entry id from the URL (`?older=` / `?newer=`); anything else is the newest page. */
function entryId(value: string | null): number | null {
	return value && /^[1-9]\d{0,14}$/.test(value) ? Number(value) : null;
}

export const load: PageServerLoad = async ({ url }) => {
	const olderThan = entryId(url.searchParams.get('older'));
	const newerThan = entryId(url.searchParams.get('newer'));
	const page = await listAuditPage({ olderThan, newerThan });
	return {
		/** A page other than the newest: an empty one is "nothing this side", not "nothing yet". */
		paged: Boolean(olderThan || newerThan),
		older: page.older,
		newer: page.newer,
		rows: page.rows.map((r) => ({ ...r, at: r.at.toISOString() }))
	};
};
