import { config } from '#lib/server/config.js';
import { scrapeMetrics } from '#lib/server/scrape.js';

/** Prometheus scrape endpoint (lib/server/scrape.ts): a bearer token from POSTERN_METRICS_TOKEN. */
export async function GET({ request }) {
	const answer = await scrapeMetrics(request.headers.get('authorization'), config.metricsToken);
	return new Response(answer.body, {
		status: answer.status,
		headers: {
			'content-type': answer.status === 200 ? answer.contentType : 'text/plain; charset=utf-8',
			'cache-control': 'no-store',
			...(answer.status === 401 ? { 'www-authenticate': 'Bearer realm="metrics"' } : {})
		}
	});
}
