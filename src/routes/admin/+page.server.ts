import { countUnusedRecoveryCodes } from '#lib/server/auth/recovery-codes.js';
import { listAuditPage } from '#lib/server/audit.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const recent = await listAuditPage({ pageSize: 5 });
	return {
		unusedCodes: await countUnusedRecoveryCodes(locals.admin!.id),
		recent: recent.rows.map((r) => ({
			id: r.id,
			at: r.at.toISOString(),
			actor: r.actor,
			action: r.action,
			outcome: r.outcome
		}))
	};
};
