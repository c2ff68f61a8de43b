/**
 * Interactive mail (a sign-in code, a reset link) keeps its feel: the request waits a few seconds for the
 * first attempt and tells the user how it went; if the attempt failed transiently, retries go on in the
 * background. Polling the row (not an in-process event) works whichever instance delivers the message.
 */
import type { DeliveryState } from './message.js';
import { readDeliveryState } from './store.js';

export const INTERACTIVE_WAIT_MS = 5_000;
const POLL_MS = 40;

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
		await new Promise((resolve) => setTimeout(resolve, POLL_MS));
	}
}
