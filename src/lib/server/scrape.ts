/**
 * GET /metrics: Prometheus text from this instance's registry (metrics/registry.ts), behind the bearer token
 * of POSTERN_METRICS_TOKEN. Without a token configured the endpoint does not exist (404), so a forgotten
 * variable never publishes the figures.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { mailFinished24h, mailQueueDepth, registry } from './metrics/registry.js';
import { readMailCounts } from './outbox/log.js';

export type ScrapeAnswer =
	{ status: 200; body: string; contentType: string } | { status: 401 | 404; body: string };

/** Compares digests, so neither the token's length nor its first wrong character shows in the timing. */
function sameToken(given: string, expected: string): boolean {
	const digest = (value: string) => createHash('sha256').update(value).digest();
	return timingSafeEqual(digest(given), digest(expected));
}

export async function scrapeMetrics(
	authorization: string | null,
	token: string | undefined
): Promise<ScrapeAnswer> {
	if (!token) return { status: 404, body: 'Not Found' };
	const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
	if (!sameToken(given, token)) return { status: 401, body: 'Unauthorized' };
	const counts = await readMailCounts();
	mailQueueDepth.set({ status: 'queued' }, counts.queued);
	mailQueueDepth.set({ status: 'sending' }, counts.sending);
	mailQueueDepth.set({ status: 'retrying' }, counts.retrying);
	mailFinished24h.set({ status: 'sent' }, counts.sent24h);
	mailFinished24h.set({ status: 'failed' }, counts.failed24h);
	return { status: 200, body: await registry.metrics(), contentType: registry.contentType };
}
