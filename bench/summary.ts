/**
 * `npm run bench`'s closing table: every figure this run measured (name, ours, baseline, ratio, target,
 * verdict), printed once all benchmarks are done. Each benchmark's mergeResults() also notes its figures in
 * bench/.last-run.json (not tracked); this global setup empties it at the start and prints it at the end. The
 * exit code is Vitest's: a benchmark whose figure misses its target fails its test, so the run exits non-zero.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { LAST_RUN, meets, type BenchResult } from './results.js';

export default function setup() {
	rmSync(LAST_RUN, { force: true });
	return () => {
		const results: BenchResult[] = existsSync(LAST_RUN)
			? (JSON.parse(readFileSync(LAST_RUN, 'utf8')) as BenchResult[])
			: [];
		if (results.length === 0) return;
		const rows = results.map((r) => [
			r.name,
			`${r.ours} ${r.unit}`,
			`${r.baseline} ${r.unit}`,
			r.ratio.toFixed(3),
			`${r.better === 'lower' ? '≤' : '≥'} ${r.target}`,
			meets(r) ? 'ok' : 'MISSED'
		]);
		const header = ['figure', 'ours', 'baseline', 'ratio', 'target', 'verdict'];
		const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
		const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
		const missed = results.filter((r) => !meets(r)).length;
		console.log(
			[
				'',
				line(header),
				widths.map((w) => '-'.repeat(w)).join('-|-'),
				...rows.map(line),
				'',
				missed
					? `${missed} of ${results.length} figures missed their target.`
					: `All ${results.length} figures met their targets.`
			].join('\n')
		);
	};
}
