/**
 * Interactive mail (a sign-in code, a reset link) keeps its feel: the request waits a few seconds for the
 * first attempt and tells the user how it went; if the attempt failed transiently, retries go on in the
 * background. This instance's worker announces the end of an attempt at once (attempt-events.ts); polling
 * the row covers a message another instance delivers.
 */
import type { DeliveryState } from './message.js';
import { readDeliveryState } from './store.js';
import { onAttemptEnded } from './attempt-events.js';

export const INTERACTIVE_WAIT_MS = 5_000;
/** How often the row is read when another instance may be the one delivering. */
const POLL_MS = 100;

/** The message's state once its first attempt ended, or as it is when `timeoutMs` ran out. */
export async function awaitFirstAttempt(
	id: string,
	timeoutMs = INTERACTIVE_WAIT_MS
): Promise<DeliveryState> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const state = await readDeliveryState(id);
		if (!state) throw new Error(`no such message: ${id}`);
		const attemptEnded =
			state.status === 'sent' || state.status === 'failed' || state.status === 'retrying';
		if (attemptEnded || Date.now() >= deadline) return state;
		// the next look: when this instance's worker says it is done, or at the next poll
		await new Promise<void>((resolve) => {
			const timer = setTimeout(done, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
			const unsubscribe = onAttemptEnded(id, done);
			function done() {
				clearTimeout(timer);
				unsubscribe();
				resolve();
			}
		});
	}
}
