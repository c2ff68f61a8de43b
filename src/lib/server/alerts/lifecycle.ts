/**
 * Starts and stops this instance's alerting: the event listeners (every instance hears its own events) and
 * the sweep, a pg-boss schedule firing once a minute: pg-boss creates each minute's job once across all
 * instances and one worker takes it, so health checks run on one instance at a time.
 */
import { mailQueue } from '../outbox/queue.js';
import { log } from '../log.js';
import { listenForAlertEvents, stopListeningForAlertEvents } from './events.js';
import { runAlertSweep } from './sweep.js';

export const ALERT_SWEEP_QUEUE = 'alert-sweep';

let started = false;

/**
 * After the outbox started (the sweep runs on its queue). `sweep: false` (POSTERN_ALERT_SWEEP=false) leaves
 * the sweep to the other instances: this one still alerts on its own events.
 */
export async function startAlerts({ sweep = true }: { sweep?: boolean } = {}): Promise<void> {
	if (started) return;
	listenForAlertEvents();
	started = true;
	if (!sweep) return;
	const boss = mailQueue();
	// a sweep that outlives the next minute is not doubled: the queue holds one job, queued or active
	await boss.createQueue(ALERT_SWEEP_QUEUE, {
		policy: 'exclusive',
		retryLimit: 0,
		expireInSeconds: 600
	});
	await boss.schedule(ALERT_SWEEP_QUEUE, '* * * * *');
	await boss.work(ALERT_SWEEP_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
		const report = await runAlertSweep();
		if (report.checked)
			log.info({ event: 'alert_sweep', checked: report.checked }, 'health checks ran');
	});
}

export async function stopAlerts(): Promise<void> {
	stopListeningForAlertEvents();
	if (!started) return;
	started = false;
	await mailQueue()
		.offWork(ALERT_SWEEP_QUEUE)
		.catch(() => undefined);
}
