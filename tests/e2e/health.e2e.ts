import { expect, test } from '@playwright/test';

test('GET /healthz answers {"status":"ok","database":"ok"}', async ({ request }) => {
	const response = await request.get('/healthz');
	expect(response.status()).toBe(200);
	expect(response.headers()['content-type']).toMatch(/^application\/json/);
	expect(response.headers()['cache-control']).toBe('no-store');
	expect(await response.text()).toBe('{"status":"ok","database":"ok"}');
});
