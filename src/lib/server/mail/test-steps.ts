/**
 * The steps of a configuration test as they run: started, passed or failed with a detail and a duration,
 * skipped ones kept as planned. Shared by the SMTP test (config-test.ts) and the Graph test (graph-test.ts).
 */
import type { StepId, TestStep } from './types.js';

export function createStepTracker(planned: TestStep[]) {
	const steps = new Map(planned.map((s) => [s.id, { ...s }]));
	const startedAt = new Map<StepId, number>();
	const skipped = new Set(planned.filter((s) => s.detail !== null).map((s) => s.id));
	let current: StepId | null = null;
	const finish = (id: StepId, ok: boolean, detail?: string | null) => {
		const step = steps.get(id);
		if (!step || step.ok !== null) return;
		const from = startedAt.get(id);
		step.ok = ok;
		step.ms = from === undefined ? null : Math.round(performance.now() - from);
		if (detail !== undefined) step.detail = detail;
		if (current === id) current = null;
	};
	return {
		start(id: StepId) {
			if (skipped.has(id) || steps.get(id)?.ok !== null) return;
			startedAt.set(id, performance.now());
			current = id;
		},
		pass: (id: StepId, detail?: string | null) => finish(id, true, detail),
		fail: (id: StepId, detail?: string | null) => finish(id, false, detail),
		running: () => current,
		/** The first planned step not run yet (where a failure outside any step is reported). */
		next: (): StepId =>
			planned.find((s) => !skipped.has(s.id) && steps.get(s.id)?.ok === null)?.id ??
			planned[planned.length - 1].id,
		steps: () => planned.map((s) => steps.get(s.id)!)
	};
}

export type StepTracker = ReturnType<typeof createStepTracker>;
