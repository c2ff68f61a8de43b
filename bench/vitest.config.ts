/**
 * `npm run bench`: the benchmarks, run by Vitest so they import the app's modules as the tests do (the
 * SvelteKit plugin resolves `$app/env`, Vite's import.meta.glob embeds the migrations). One file at a time, no
 * parallel workers: timings must not compete with each other.
 */
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	test: {
		include: ['bench/**/*.bench.ts'],
		globalSetup: ['bench/build.ts', 'bench/summary.ts'],
		environment: 'node',
		fileParallelism: false,
		testTimeout: 180_000,
		hookTimeout: 60_000
	}
});
