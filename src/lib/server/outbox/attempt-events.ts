/**
 * In-process news of a finished attempt, so a request waiting on its own sign-in code (wait.ts) hears at once
 * when this instance's worker is done with it. The database stays the truth: another instance's worker is
 * heard by polling the row.
 */
import { EventEmitter } from 'node:events';

const events = new EventEmitter();
// one listener per waiting request: many at once is normal, not a leak
events.setMaxListeners(0);

export function announceAttemptEnded(id: string) {
	events.emit(id);
}

/** Calls `listener` when message `id`'s attempt ends in this process; returns the unsubscribe. */
export function onAttemptEnded(id: string, listener: () => void): () => void {
	events.once(id, listener);
	return () => events.off(id, listener);
}
