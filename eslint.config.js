import prettier from 'eslint-config-prettier';
import path from 'node:path';
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import { defineConfig, includeIgnoreFile } from 'eslint/config';
import globals from 'globals';
import ts from 'typescript-eslint';

const gitignorePath = path.resolve(import.meta.dirname, '.gitignore');

export default defineConfig(
	includeIgnoreFile(gitignorePath),
	js.configs.recommended,
	ts.configs.recommended,
	svelte.configs.recommended,
	prettier,
	svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } },
		rules: {
			// typescript-eslint strongly recommend that you do not use the no-undef lint rule on TypeScript projects.
			// see: https://typescript-eslint.io/troubleshooting/faqs/eslint/#i-get-errors-from-the-no-undef-rule-about-global-variables-not-being-defined-even-though-there-are-no-typescript-errors
			'no-undef': 'off'
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser
			}
		}
	},
	{
		rules: {
			// Postern is served at the root (no paths.base), so plain hrefs are correct and resolve() adds noise.
			'svelte/no-navigation-without-resolve': 'off',
			// Only src/env.ts, server.js and test set-up may read the environment.
			'no-restricted-syntax': [
				'error',
				{
					selector: "MemberExpression[object.name='process'][property.name='env']",
					message: 'Declare the variable in src/env.ts and read it from #lib/server/config.js.'
				}
			]
		}
	},
	{
		files: [
			'server.js',
			'scripts/**',
			'tests/**',
			'playwright.config.ts',
			'bench/**',
			'**/*.test.ts',
			'**/*.child.ts',
			'vite.config.ts',
			'src/lib/server/testing/**',
			'src/mocks/**'
		],
		rules: { 'no-restricted-syntax': 'off' }
	}
);
