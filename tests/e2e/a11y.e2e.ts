/**
 * Accessibility: no serious or critical axe violations (WCAG 2.1 A/AA) on the console's pages, light and
 * dark; and the sign-in form works from the keyboard alone, with a visible focus indicator.
 */
import { expect, test, type Page } from '@playwright/test';
import { ADMIN } from './support/accounts.js';
import { assertSignedIn, seriousA11yViolations, signIn } from './support/pages.js';

async function assertAccessible(page: Page, what: string) {
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		expect(await seriousA11yViolations(page), `${what}, ${colorScheme}`).toEqual([]);
	}
}

test('sign-in and forgot-password pages', async ({ page }) => {
	await page.goto('/admin/login');
	await assertAccessible(page, 'login');
	// with an error shown
	await page.getByLabel('Username', { exact: true }).fill('');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.locator('[aria-invalid="true"]')).toHaveCount(2);
	await assertAccessible(page, 'login with errors');

	await page.goto('/admin/forgot');
	await assertAccessible(page, 'forgot');
});

test('console pages: overview, account, audit, mail log', async ({ page }) => {
	await signIn(page, ADMIN);
	await assertAccessible(page, 'overview');
	await page.goto('/admin/account');
	await assertAccessible(page, 'account');
	await page.goto('/admin/audit');
	await expect(page.getByRole('table')).toBeVisible();
	await assertAccessible(page, 'audit');
	await page.goto('/admin/mail-log');
	await expect(page.getByTestId('mail-chart')).toBeVisible();
	await assertAccessible(page, 'mail log');
	// a filter error
	await page.goto('/admin/mail-log?to=not-an-address&status=bogus');
	await expect(page.locator('[aria-invalid="true"]')).toHaveCount(2);
	await assertAccessible(page, 'mail log with filter errors');
});

/** Whether the focused element shows a focus indicator (an outline or a ring). */
function focusIndicator(page: Page) {
	return page.evaluate(() => {
		const el = document.activeElement as HTMLElement | null;
		if (!el || el === document.body) return { tag: 'body', visible: false };
		const style = getComputedStyle(el);
		const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
		const ring = style.boxShadow !== 'none' && style.boxShadow !== '';
		return {
			tag: `${el.tagName.toLowerCase()}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}`,
			visible: el.matches(':focus-visible') && (outline || ring)
		};
	});
}

test('keyboard: sign in with Tab and Enter, with the focus visible at every stop', async ({
	page
}) => {
	await page.goto('/admin/login');
	const stops: string[] = [];
	for (let i = 0; i < 10; i++) {
		await page.keyboard.press('Tab');
		const focus = await focusIndicator(page);
		stops.push(focus.tag);
		expect(focus.visible, `focus visible on ${focus.tag}`).toBe(true);
		if (focus.tag === 'a') break;
	}
	// the order a user meets: username, password, the button, then "Forgot password?"
	expect(stops).toEqual(['input[name=username]', 'input[name=password]', 'button', 'a']);

	await page.keyboard.press('Shift+Tab');
	await page.keyboard.press('Shift+Tab');
	await page.keyboard.press('Shift+Tab');
	await expect(page.getByLabel('Username', { exact: true })).toBeFocused();
	await page.keyboard.type(ADMIN.username);
	await page.keyboard.press('Tab');
	await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
	await page.keyboard.type(ADMIN.password);
	await page.keyboard.press('Enter');
	await assertSignedIn(page, ADMIN);

	// in the console, the first Tab reaches the skip link, and it is visible
	await page.keyboard.press('Tab');
	const skip = page.getByRole('link', { name: 'Skip to content' });
	await expect(skip).toBeFocused();
	await expect(skip).toBeVisible();
	expect((await focusIndicator(page)).visible).toBe(true);
});
