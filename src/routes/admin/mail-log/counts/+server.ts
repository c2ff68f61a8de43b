import { json } from '@sveltejs/kit';
import { readMailCounts } from '#lib/server/outbox/log.js';

/** The mail log's live counts, polled by the page every few seconds. */
export async function GET() {
	return json(await readMailCounts(), { headers: { 'cache-control': 'no-store' } });
}
