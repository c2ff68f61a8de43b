import { listAudit } from '#lib/server/audit.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const requested = Number(url.searchParams.get('page') ?? '1');
	const page =
		Number.isInteger(requested) && requested > 0 && requested < 1_000_000 ? requested : 1;
	const result = await listAudit(page);
	return {
		page,
		pages: result.pages,
		total: result.total,
		rows: result.rows.map((r) => ({ ...r, at: r.at.toISOString() }))
	};
};
