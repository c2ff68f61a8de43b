/**
 * What every benchmark shares: the result shape of bench/results.json, percentiles, and merging a run's
 * results into the file by name (other benchmarks' entries stay).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const RESULTS = path.join(import.meta.dirname, 'results.json');
/** This run's figures only, for the closing table (summary.ts); not tracked. */
export const LAST_RUN = path.join(import.meta.dirname, '.last-run.json');

export interface BenchResult {
	name: string;
	ours: number;
	baseline: number;
	unit: string;
	ratio: number;
	target: number;
	better: 'lower' | 'higher';
}

/** Whether a figure met its target. */
export function meets(result: BenchResult): boolean {
	return result.better === 'lower' ? result.ratio <= result.target : result.ratio >= result.target;
}

export function percentile(values: number[], p: number) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function readResults(): BenchResult[] {
	try {
		const parsed: unknown = JSON.parse(readFileSync(RESULTS, 'utf8'));
		return Array.isArray(parsed) ? (parsed as BenchResult[]) : [];
	} catch {
		return [];
	}
}

/** Replaces the entries with these names (and those `stale` picks, e.g. a renamed benchmark's), keeps the rest. */
export function mergeResults(
	results: BenchResult[],
	stale: (name: string) => boolean = () => false
) {
	const names = new Set(results.map((r) => r.name));
	const kept = readResults().filter((r) => !names.has(r.name) && !stale(r.name));
	writeFileSync(RESULTS, JSON.stringify([...kept, ...results], null, '\t') + '\n');
	const thisRun = existsSync(LAST_RUN)
		? (JSON.parse(readFileSync(LAST_RUN, 'utf8')) as BenchResult[]).filter(
				(r) => !names.has(r.name)
			)
		: [];
	writeFileSync(LAST_RUN, JSON.stringify([...thisRun, ...results], null, '\t') + '\n');
}
