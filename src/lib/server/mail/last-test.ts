/**
 * Which configuration a test result belongs to. A server's "last test" must describe its saved settings, yet
 * admins test before they save (edit, test, save). So each result is tagged (in memory, with the result
 * object) with the settings it ran with, and recent outcomes are kept by fingerprint for an hour in the
 * database (smtp_test_outcomes), so the save may reach another instance than the test:
 * - recording a test stores it on the server only when the server's saved settings have that fingerprint;
 * - saving a server whose new settings were just tested stores that outcome as its last test, and saving
 *   settings that changed anything a test depends on clears the old one.
 * The fingerprint is an HMAC under the site key over the settings that affect delivery (not the display name),
 * secrets included: equal settings give equal fingerprints, and the stored value reveals nothing.
 */
import { lt, eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { SmtpLastTestSummary } from '../db/schema/mail.js';
import { keyedFingerprint } from '../secrets.js';
import type { ConfigurationTestResult, SmtpServerSettings } from './types.js';

const REMEMBER_MS = 60 * 60_000;

/** The settings each result ran with, held only as long as the result object lives. */
const tags = new WeakMap<ConfigurationTestResult, SmtpServerSettings>();

export function fingerprintSettings(settings: SmtpServerSettings): string {
	const delivery: Partial<SmtpServerSettings> = { ...settings };
	delete delivery.id;
	delete delivery.name;
	return keyedFingerprint(JSON.stringify(canonical(delivery)));
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

export async function rememberTestOutcome(fingerprint: string, outcome: TestOutcome) {
	const outcomes = tables.smtpTestOutcomes;
	const row = { testedAt: outcome.at, ok: outcome.ok, summary: outcome.summary };
	await db()
		.insert(outcomes)
		.values({ fingerprint, ...row })
		.onConflictDoUpdate({ target: outcomes.fingerprint, set: row });
	// outcomes older than an hour are never recalled: the table stays small
	await db()
		.delete(outcomes)
		.where(lt(outcomes.testedAt, new Date(Date.now() - REMEMBER_MS)));
}

export async function recallTestOutcome(
	fingerprint: string,
	now = Date.now()
): Promise<TestOutcome | null> {
	const [found] = await db()
		.select()
		.from(tables.smtpTestOutcomes)
		.where(eq(tables.smtpTestOutcomes.fingerprint, fingerprint));
	if (!found || now - found.testedAt.getTime() > REMEMBER_MS) return null;
	return { at: found.testedAt, ok: found.ok, summary: found.summary };
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
