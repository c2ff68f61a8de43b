/**
 * Retention: finished messages (sent, or given up) older than the configured age leave the log, once at
 * start and then hourly. Every instance runs it; the DELETE is idempotent, so two instances pruning at once
 * only share the work.
 */
import { log } from '../log.js';
import { pruneMailLog } from './log.js';

const EVERY_MS = 60 * 60_000;
let timer: ReturnType<typeof setInterval> | null = null;

export async function pruneOnce(retentionDays: number, now = new Date()): Promise<number> {
	const before = new Date(now.getTime() - retentionDays * 86_400_000);
	const pruned = await pruneMailLog(before);
	if (pruned) log.info({ event: 'mail_log_pruned', pruned, retentionDays }, 'mail log pruned');
	return pruned;
}

export function startRetention(retentionDays: number) {
	stopRetention();
	const run = () =>
		pruneOnce(retentionDays).catch((error) =>
			log.warn({ event: 'mail_log_prune_failed', err: error }, 'mail log pruning failed')
		);
	void run();
	timer = setInterval(run, EVERY_MS);
	timer.unref();
}

export function stopRetention() {
	if (timer) clearInterval(timer);
	timer = null;
}
