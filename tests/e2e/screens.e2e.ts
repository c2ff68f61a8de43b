/**
 * Screenshots for people to look at (not compared against anything): login, account, audit and mail log, light and
 * dark, 1280 and 390 px wide, into test-results/screenshots/ (setup's are taken in first-run.e2e.ts). The
 * one thing asserted is that no page scrolls sideways at either width.
 */
import { expect, test, type Page } from '@playwright/test';
import { ADMIN } from './support/accounts.js';
import { screenshotBothSchemes, signIn } from './support/pages.js';

async function assertNoSidewaysScroll(page: Page, what: string) {
	for (const width of [1280, 390]) {
		await page.setViewportSize({ width, height: 900 });
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - window.innerWidth
		);
		expect(
			overflow,
			`${what} at ${width} px scrolls sideways by ${overflow} px`
		).toBeLessThanOrEqual(0);
	}
}

test('login', async ({ page }) => {
	await page.goto('/admin/login');
	await screenshotBothSchemes(page, 'login');
	await assertNoSidewaysScroll(page, 'login');
});

test('account, audit and mail log', async ({ page }) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/account');
	await screenshotBothSchemes(page, 'account');
	await assertNoSidewaysScroll(page, 'account');
	await page.goto('/admin/audit');
	await expect(page.getByRole('table')).toBeVisible();
	await screenshotBothSchemes(page, 'audit');
	await assertNoSidewaysScroll(page, 'audit');
	await page.goto('/admin/mail-log');
	await expect(page.getByTestId('mail-chart')).toBeVisible();
	await screenshotBothSchemes(page, 'mail-log');
	await assertNoSidewaysScroll(page, 'mail log');
});
