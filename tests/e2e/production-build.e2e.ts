/**
 * Production builds contain none of mock mode (`postern:strip-dev-only-code` in vite.config.ts and the
 * `dev` checks around its imports). Reads the build the main server runs (serve.js copies build/ into
 * $POSTERN_E2E_TMP/app/build) and asks that server for the dev routes.
 */
import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { send } from './support/http.js';

const BUILD = path.join(process.env.POSTERN_E2E_TMP!, 'app', 'build');

/** Strings only mock-mode code holds: the sink's name, its mocks' entry points and hosts, the printed accounts. */
const MARKERS = [
	'postern-dev-sink',
	'Postern dev mail sink',
	'Mock-Admin-Postern',
	'Mock-Support-Postern',
	'mock-credentials',
	'mock-banner',
	'Mock mode accounts',
	'startMailSink',
	'startMockMode',
	'seedMockData',
	'createMicrosoftMockFetch',
	'setMicrosoftScenario',
	'Microsoft 365 (mock tenant)',
	'createLdapMockFactory',
	'installMockLdap',
	'ldap.mock.test',
	'Example LDAP (mock)',
	'Apply fault'
];

const DEV_ROUTES = ['/dev/mailbox', '/dev/mailbox/events', '/dev/faults'];

function filesIn(dir: string, name: RegExp): string[] {
	return readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((e) => e.isFile() && name.test(e.name))
		.map((e) => path.join(e.parentPath, e.name));
}
const javascriptFiles = (dir: string) => filesIn(dir, /\.(m?js|cjs)$/);

test('every marker is in the mock-mode sources (its absence from the build means something)', () => {
	const src = path.resolve(import.meta.dirname, '..', '..', 'src');
	const text = ['lib/server/dev', 'lib/dev', 'mocks', 'routes/dev']
		.flatMap((dir) => filesIn(path.join(src, dir), /\.(ts|svelte)$/))
		.map((file) => readFileSync(file, 'utf8'))
		.join('\n');
	expect(MARKERS.filter((m) => !text.includes(m))).toEqual([]);
});

test('the client build does not name the dev routes', () => {
	const files = filesIn(path.join(BUILD, 'client'), /\.(m?js|json|html|css)$/);
	expect(files.some((f) => /[\\/]_app[\\/]immutable[\\/]entry[\\/]app\./.test(f))).toBe(true);
	const naming = files.flatMap((file) => {
		const text = readFileSync(file, 'utf8');
		return DEV_ROUTES.filter((r) => text.includes(r)).map(
			(r) => `${path.relative(BUILD, file)}: ${r}`
		);
	});
	expect(naming).toEqual([]);
});

test('the built JavaScript holds none of the mock-mode code', () => {
	const files = javascriptFiles(BUILD);
	const sources = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
	// the grep sees the real build: server and client code, the SMTP servers screen included
	expect(files.some((f) => f.includes(`${path.sep}server${path.sep}`))).toBe(true);
	expect(files.some((f) => f.includes(`${path.sep}client${path.sep}`))).toBe(true);
	expect(sources.some((s) => s.text.includes('Configuration test'))).toBe(true);

	const found = sources.flatMap(({ file, text }) =>
		MARKERS.filter((m) => text.includes(m)).map((m) => `${path.relative(BUILD, file)}: ${m}`)
	);
	expect(found).toEqual([]);
});

test('the built server answers 404 for the dev routes and shows no mock accounts', async ({
	baseURL,
	page
}) => {
	// the routes do not exist at all: every method, the page data, and the path spelled with escapes
	const paths = [
		...DEV_ROUTES,
		'/dev',
		'/dev/faults/__data.json',
		'/dev/mailbox/__data.json',
		'/%64ev/faults',
		'/dev/%66aults'
	];
	for (const route of paths)
		for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
			expect(
				(
					await send(`${baseURL}${route}`, {
						method,
						...(method === 'POST' ? { form: { fault: 'smtp-drop' } } : {})
					})
				).status,
				`${method} ${route}`
			).toBe(404);

	await page.goto('/admin/login');
	await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	await expect(page.getByTestId('mock-credentials')).toHaveCount(0);
	await expect(page.getByTestId('mock-banner')).toHaveCount(0);
});
