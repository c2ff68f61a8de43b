/** Starts and stops this instance's notification work: the launch relay and the grouping windows' digests. */
import { startNotificationDigests, stopNotificationDigests } from './digest.js';
import { startLaunchRelay, stopLaunchRelay } from './launch-relay.js';

/** After the outbox started (the digests run on its queue). */
export async function startNotifications(): Promise<void> {
	await startNotificationDigests();
	startLaunchRelay();
}

export async function stopNotifications(): Promise<void> {
	await stopLaunchRelay();
	await stopNotificationDigests();
}
