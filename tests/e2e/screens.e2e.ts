/**
 * Screenshots for people to look at (not compared against anything): login, account, audit and mail log, light and
 * dark, 1280 and 390 px wide, into test-results/screenshots/ (setup's are taken in first-run.e2e.ts). The
 * one thing asserted is that no page scrolls sideways at either width.
 */
import { expect, test } from '@playwright/test';
import { ADMIN } from './support/accounts.js';
import { assertNoSidewaysScroll, screenshotBothSchemes, signIn } from './support/pages.js';

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
