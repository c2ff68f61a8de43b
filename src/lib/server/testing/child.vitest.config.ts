// Runs one `*.child.ts` file as a separate process that tests start, watch and kill (see testing/instance.ts):
// Postern code needs Vite to load (TypeScript, `#lib`, `$app/env`), so a child is a Vitest run of its own.
// Threads, not forks: killing this process must kill the code it runs, as a crash would.
import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'child',
					environment: 'node',
					include: ['src/**/*.child.ts'],
					pool: 'threads',
					testTimeout: 0,
					hookTimeout: 120_000
				}
			}
		]
	}
});
