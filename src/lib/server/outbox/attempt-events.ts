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

/** A message parked as failed (a permanent refusal, or every retry spent), for alerts. */
export interface GivenUpMessage {
	id: string;
	kind: string;
	serverId: string;
	serverName: string;
	to: string[];
	reply: string | null;
	diagnosis: { title: string; fix: string };
}

type GivenUpListener = (message: GivenUpMessage) => Promise<void>;
const givenUpListeners = new Set<GivenUpListener>();

/** Adds a listener for messages given up in this process; returns its removal. */
export function onMessageGivenUp(listener: GivenUpListener): () => void {
	givenUpListeners.add(listener);
	return () => givenUpListeners.delete(listener);
}

export async function announceGivenUp(message: GivenUpMessage) {
	for (const listener of givenUpListeners) await listener(message).catch(() => undefined);
}
