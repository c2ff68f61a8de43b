/**
 * Which configuration a test result belongs to. A server's "last test" must describe its saved settings, yet
 * admins test before they save (edit, test, save). So each result is tagged (in memory, never sent anywhere)
 * with a fingerprint of the settings it ran with, secrets included, and recent outcomes are remembered by
 * fingerprint for an hour:
 * - recording a test stores it on the server only when the server's saved settings have that fingerprint;
 * - saving a server whose new settings were just tested stores that outcome as its last test, and saving
 *   settings that changed anything a test depends on clears the old one.
 * The fingerprint is a SHA-256 over the settings that affect delivery (not the display name), kept only in
 * this process's memory.
 */
import { createHash } from 'node:crypto';
import type { SmtpLastTestSummary } from '../db/schema/mail.js';
import type { ConfigurationTestResult, SmtpServerSettings } from './types.js';

const REMEMBER_MS = 60 * 60_000;
const REMEMBER_MAX = 200;

/** The settings each result ran with, held only as long as the result object lives. */
const tags = new WeakMap<ConfigurationTestResult, SmtpServerSettings>();
const recent = new Map<string, TestOutcome>();

export function fingerprintSettings(settings: SmtpServerSettings): string {
	const delivery: Partial<SmtpServerSettings> = { ...settings };
	delete delivery.id;
	delete delivery.name;
	return createHash('sha256')
		.update(JSON.stringify(canonical(delivery)))
		.digest('hex');
}

export function summariseTestResult(result: ConfigurationTestResult): SmtpLastTestSummary {
	return {
		mode: result.mode,
		verdict: result.verdict,
		diagnosisId: result.diagnosis?.id ?? null,
		steps: result.steps.map((s) => ({ id: s.id, ok: s.ok, ms: s.ms })),
		durationMs: result.durationMs
	};
}

export function tagTestResult(result: ConfigurationTestResult, settings: SmtpServerSettings) {
	tags.set(result, settings);
}

/** The fingerprint of the settings `result` ran with (computed when asked: most results are never recorded). */
export function readTestResultTag(result: ConfigurationTestResult): string | undefined {
	const settings = tags.get(result);
	return settings ? fingerprintSettings(settings) : undefined;
}

export function rememberTestOutcome(fingerprint: string, outcome: TestOutcome) {
	recent.delete(fingerprint);
	recent.set(fingerprint, outcome);
	while (recent.size > REMEMBER_MAX) recent.delete(recent.keys().next().value!);
}

export function recallTestOutcome(fingerprint: string, now = Date.now()): TestOutcome | null {
	const found = recent.get(fingerprint);
	if (!found || now - found.at.getTime() > REMEMBER_MS) return null;
	return found;
}

/** Sorted keys, so equal settings always give the same JSON. */
function canonical(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(canonical);
	if (value && typeof value === 'object')
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((k) => [k, canonical((value as Record<string, unknown>)[k])])
		);
	return value;
}

export interface TestOutcome {
	at: Date;
	ok: boolean;
	summary: SmtpLastTestSummary;
}
