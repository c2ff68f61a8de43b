import { isAlertType } from '#lib/server/alerts/catalogue.js';
import { listAlertHistory } from '#lib/server/alerts/history.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const requested = Number(url.searchParams.get('page') ?? '1');
	const page = Number.isInteger(requested) && requested >= 1 ? requested : 1;
	const type = url.searchParams.get('type') ?? '';
	const history = await listAlertHistory({ page, type: isAlertType(type) ? type : undefined });
	return {
		page: history.page,
		pages: history.pages,
		total: history.total,
		type: isAlertType(type) ? type : '',
		rows: history.rows.map((row) => ({
			...row,
			firedAt: row.firedAt.toISOString(),
			resolvedAt: row.resolvedAt?.toISOString() ?? null,
			notifiedAt: row.notifiedAt?.toISOString() ?? null,
			messages: row.messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() }))
		}))
	};
};
