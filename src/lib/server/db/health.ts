/**
 * Whether the database answers, for /healthz. A load balancer or an orchestrator may probe many times a
 * second; the database is asked at most once a second per instance, and probes that arrive meanwhile share the
 * last answer (or the question in flight). The answer is about this instance's own connection, so keeping it
 * in this process is right.
 */
import { currentDatabase } from './index.js';
import { pingDatabase, type Database } from './open.js';

const FRESH_FOR_MS = 1_000;

let last: { database: Database; at: number; answer: Promise<boolean> } | null = null;

export function databaseAnswers(): Promise<boolean> {
	let database: Database;
	try {
		database = currentDatabase();
	} catch {
		return Promise.resolve(false);
	}
	const now = Date.now();
	if (last && last.database === database && now - last.at < FRESH_FOR_MS) return last.answer;
	const answer = pingDatabase(database.db).catch(() => false);
	last = { database, at: now, answer };
	return answer;
}
