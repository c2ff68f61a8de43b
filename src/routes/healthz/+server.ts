import { json } from '@sveltejs/kit';
import { databaseAnswers } from '#lib/server/db/health.js';

/** Liveness and readiness: 200 when the database answers within 2 s, 503 when it does not (checked once a second at most). */
export async function GET() {
	const ok = await databaseAnswers();
	return json(
		{ status: ok ? 'ok' : 'degraded', database: ok ? 'ok' : 'unavailable' },
		{ status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } }
	);
}
