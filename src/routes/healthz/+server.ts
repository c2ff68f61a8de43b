import { json } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { pingDatabase } from '#lib/server/db/open.js';

/** Liveness and readiness: 200 when the database answers within 2 s, 503 when it does not. */
export async function GET() {
	let ok: boolean;
	try {
		ok = await pingDatabase(db());
	} catch {
		ok = false;
	}
	return json(
		{ status: ok ? 'ok' : 'degraded', database: ok ? 'ok' : 'unavailable' },
		{ status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } }
	);
}
