/**
 * What mock mode started, kept on globalThis so Vite's module reloading in the dev server does not start a
 * second sink or lose the captured mail.
 */
import type { MailSink } from './mail-sink.js';

export interface MockState {
	sink: MailSink;
	credentials: { username: string; password: string; role: string }[];
	/** The seeded user enrolled in TOTP, whose current code the toolbar shows. */
	totpUser?: { username: string; secret: string } | null;
}

const KEY = Symbol.for('postern.mock');
type Holder = { [KEY]?: MockState };

export function getMockState(): MockState | undefined {
	return (globalThis as Holder)[KEY];
}

export function setMockState(state: MockState) {
	(globalThis as Holder)[KEY] = state;
}
