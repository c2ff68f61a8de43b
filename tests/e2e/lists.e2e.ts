/**
 * The console's lists page on the server, 50 at a time: 60 applications created through the app's own form
 * (over HTTP, as a browser without JavaScript posts it), then, in the browser, Next and Previous, a search on the
 * start of the name in any case, a search that matches nothing, and the same with JavaScript off. On an
 * instance of its own, so no other spec's portal sees these applications.
 */
import { testWithOwnServer, expect } from './support/fixtures.js';
import { send, setUpOverHttp, signInOverHttp } from './support/http.js';
import { assertNoSidewaysScroll, screenshotBothSchemes, signIn } from './support/pages.js';

const test = testWithOwnServer('lists');
test.describe.configure({ mode: 'serial' });

const NAMES = Array.from({ length: 60 }, (_, i) => `App ${String(i).padStart(2, '0')}`);

test.beforeAll(async ({ server }) => {
	await setUpOverHttp(server);
	const { cookie } = await signInOverHttp(server.url);
	for (const name of NAMES) {
		const reply = await send(`${server.url}/admin/applications/new?/save`, {
			cookie: `${cookie.name}=${cookie.value}`,
			form: {
				name,
				url: `https://${name.replace(' ', '-').toLowerCase()}.example.com`,
				description: ''
			}
		});
		expect(reply.status, `${name}: ${reply.body.slice(0, 300)}`).toBe(303);
	}
});

const rowNames = (page: import('@playwright/test').Page) =>
	page.getByRole('table', { name: 'Applications' }).locator('tbody tr td:first-child');

test('the applications list: 50 a page, Next and Previous, and a search on the start of the name', async ({
	page
}) => {
	await signIn(page);
	await page.goto('/admin/applications');
	await expect(rowNames(page)).toHaveCount(50);
	await expect(rowNames(page).first()).toHaveText('App 00');
	await expect(page.getByRole('link', { name: /Previous/ })).toHaveCount(0);

	await page.getByRole('link', { name: 'Next 50 →' }).click();
	await expect(page).toHaveURL(/[?&]after=/);
	await expect(rowNames(page)).toHaveCount(10);
	await expect(rowNames(page).first()).toHaveText('App 50');
	await expect(page.getByRole('link', { name: /Next/ })).toHaveCount(0);
	await page.getByRole('link', { name: '← Previous 50' }).click();
	await expect(rowNames(page)).toHaveCount(50);
	await expect(rowNames(page).last()).toHaveText('App 49');

	const search = page.getByRole('searchbox', { name: 'Search' });
	await search.fill('app 1');
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	await expect(page).toHaveURL(/[?&]q=app\+1|[?&]q=app%201/);
	await expect(rowNames(page)).toHaveText(NAMES.filter((n) => n.startsWith('App 1')));
	await assertNoSidewaysScroll(page, 'applications search');
	await screenshotBothSchemes(page, 'applications-search');

	await search.fill('nothing-like-it');
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	await expect(page.getByRole('status')).toContainText(
		'No application has a name starting with nothing-like-it'
	);
	await page.getByRole('link', { name: 'Show all' }).click();
	await expect(rowNames(page)).toHaveCount(50);
});

test('the same without JavaScript: the search is a GET form, the pages plain links', async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
	const page = await context.newPage();
	await signIn(page);
	await page.goto('/admin/applications?q=APP%205');
	await expect(rowNames(page)).toHaveText(NAMES.filter((n) => n.startsWith('App 5')));
	await page.goto('/admin/applications');
	await page.getByRole('link', { name: 'Next 50 →' }).click();
	await expect(rowNames(page)).toHaveCount(10);
	await context.close();
});
