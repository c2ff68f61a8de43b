/**
 * POSTERN_SETUP_TRUST_LOOPBACK: a browser on the server's own machine may set up without the setup code, but
 * only with the variable on and only when no proxy relayed the request (the main server, without the
 * variable, refuses setup without the code: first-run.e2e.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { send, setupForm } from './support/http.js';
import { startPostern, type Postern } from './support/postern.js';

test.describe('with POSTERN_SETUP_TRUST_LOOPBACK=true', () => {
	test.describe.configure({ mode: 'serial' });
	let server: Postern;
	test.beforeAll(async () => {
		server = await startPostern('setup-loopback', {
			env: { POSTERN_SETUP_TRUST_LOOPBACK: 'true' }
		});
	});
	test.afterAll(async () => {
		await server?.stop();
	});

	test('a request relayed by a proxy on this machine still needs the code', async () => {
		const relayed = await send(`${server.url}/setup`, {
			form: setupForm(''),
			headers: { 'x-forwarded-for': '203.0.113.50' }
		});
		expect(relayed.status).toBe(400);
		expect(relayed.body).toContain('Enter the setup code');
		expect((await send(`${server.url}/admin`)).location).toBe('/setup');
	});

	test('the page says no code is needed, and setup from loopback works without it', async ({
		page
	}) => {
		await page.goto(`${server.url}/setup`);
		await expect(page.getByTestId('setup-code-skipped')).toBeVisible();
		await expect(page.getByLabel('Setup code', { exact: true })).toHaveCount(0);

		const reply = await send(`${server.url}/setup`, { form: setupForm('') });
		expect(reply.status).toBe(200);
		expect(reply.body).toContain('The accounts are ready');
		// the unused code is erased all the same
		expect(existsSync(path.join(server.dataDir, 'setup-code'))).toBe(false);
	});
});
