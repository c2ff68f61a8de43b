/**
 * A test message an admin sends from a form (an OTP generator's sample code, a notification profile's test):
 * queued like real mail, so it takes the path real mail takes and shows in the mail log, then awaited as long
 * as a configuration test, and reported in the shape the TestResult component renders. A failure is explained
 * by the diagnosis the outbox recorded.
 *
 * The production transport keeps no transcript, so the step shows the server's reply only; the SMTP server's
 * own configuration test (its page) has the full step-by-step dialogue.
 */
import type { Diagnosis } from '../mail/types.js';
import type { OutboxMessage } from './message.js';
import { enqueue } from './enqueue.js';
import { awaitFirstAttempt } from './wait.js';

/** A test is interactive but may meet a slow server: wait for its answer as long as a configuration test. */
const TEST_WAIT_MS = 30_000;

export interface TestSendOutcome {
	ok: boolean;
	verdict: string;
	steps: {
		id: string;
		label: string;
		ok: boolean | null;
		ms: number | null;
		detail: string | null;
	}[];
	diagnosis: Diagnosis | null;
	transcript: { dir: string; text: string }[];
}

export async function sendTestMessage(
	message: OutboxMessage,
	words: { label: string; sent: string; what: string }
): Promise<TestSendOutcome> {
	const started = performance.now();
	const id = await enqueue(message);
	const state = await awaitFirstAttempt(id, TEST_WAIT_MS);
	const ms = Math.round(performance.now() - started);
	const detail = state.lastReply ?? state.lastCode ?? null;
	if (state.status === 'sent')
		return {
			ok: true,
			verdict: words.sent,
			steps: [{ id: 'send', label: words.label, ok: true, ms, detail }],
			diagnosis: null,
			transcript: []
		};
	const diagnosis = (state.diagnosis as Diagnosis | null) ?? null;
	return {
		ok: false,
		verdict:
			state.status === 'failed'
				? `Sending failed: ${diagnosis?.title ?? 'the server refused the message'}`
				: state.status === 'retrying'
					? `The server did not take the ${words.what} yet: ${diagnosis?.title ?? 'a temporary failure'}. Postern keeps trying in the background; the mail log shows the outcome.`
					: `No answer from the server yet. The ${words.what} stays queued; the mail log shows the outcome.`,
		steps: [{ id: 'send', label: words.label, ok: false, ms, detail }],
		diagnosis,
		transcript: []
	};
}

/** The outcome when the chosen server is gone. */
export function serverGoneOutcome(label: string): TestSendOutcome {
	return {
		ok: false,
		verdict: 'This SMTP server no longer exists. Choose another one.',
		steps: [{ id: 'send', label, ok: false, ms: null, detail: null }],
		diagnosis: null,
		transcript: []
	};
}
