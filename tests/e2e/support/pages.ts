/** populate/assert helpers per screen, with the labels and roles a user sees. */
import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ADMIN, SUPPORT, type Account } from './accounts.js';

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

export interface SetupValues {
	setupCode: string;
	adminUsername: string;
	adminPassword: string;
	adminConfirm: string;
	supportUsername: string;
	supportPassword: string;
	supportConfirm: string;
}

export function setupValues(
	setupCode: string,
	admin: Account = ADMIN,
	support: Account = SUPPORT
): SetupValues {
	return {
		setupCode,
		adminUsername: admin.username,
		adminPassword: admin.password,
		adminConfirm: admin.password,
		supportUsername: support.username,
		supportPassword: support.password,
		supportConfirm: support.password
	};
}

export const SETUP_LABELS: Record<keyof SetupValues, string> = {
	setupCode: 'Setup code',
	adminUsername: 'UI Admin Username',
	adminPassword: 'UI Admin Password',
	adminConfirm: 'UI Admin Confirm Password',
	supportUsername: 'UI Primary Customer Support Username',
	supportPassword: 'UI Primary Customer Support Password',
	supportConfirm: 'UI Primary Customer Support Confirm Password'
};

export async function populateSetup(page: Page, values: SetupValues) {
	for (const [name, label] of Object.entries(SETUP_LABELS))
		await field(page, label).fill(values[name as keyof SetupValues]);
}

export async function submitSetup(page: Page) {
	await page.getByRole('button', { name: 'Create accounts' }).click();
}

export async function populateLogin(page: Page, account: Account) {
	await field(page, 'Username').fill(account.username);
	await field(page, 'Password').fill(account.password);
}

export async function signIn(page: Page, account: Account = ADMIN) {
	await page.goto('/admin/login');
	await populateLogin(page, account);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await assertSignedIn(page, account);
}

export async function assertSignedIn(page: Page, account: Account) {
	await expect(page).toHaveURL(/\/admin(\/|$|\?)/);
	await expect(page.getByTestId('signed-in-user')).toHaveText(account.username);
}

export async function signOut(page: Page) {
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/admin\/login\?notice=signed-out$/);
	await expect(page.getByRole('status')).toHaveText('You have signed out.');
}

export interface ForgotValues {
	username: string;
	recoveryCode: string;
	newPassword: string;
	confirm?: string;
}

export async function populateForgot(page: Page, values: ForgotValues) {
	await field(page, 'Username').fill(values.username);
	await field(page, 'Recovery code').fill(values.recoveryCode);
	await field(page, 'New password').fill(values.newPassword);
	await field(page, 'Confirm new password').fill(values.confirm ?? values.newPassword);
}

export async function submitForgot(page: Page) {
	await page.getByRole('button', { name: 'Set new password' }).click();
}

export function passwordSection(page: Page) {
	return page.getByRole('region', { name: 'Change password' });
}

export function codesSection(page: Page) {
	return page.getByRole('region', { name: /recovery codes/i });
}

export async function populateChangePassword(
	page: Page,
	values: { current: string; next: string; confirm?: string }
) {
	const section = passwordSection(page);
	await section.getByLabel('Current password', { exact: true }).fill(values.current);
	await section.getByLabel('New password', { exact: true }).fill(values.next);
	await section
		.getByLabel('Confirm new password', { exact: true })
		.fill(values.confirm ?? values.next);
}

/** The input with this label is marked invalid and described by the given error. */
export async function assertFieldError(
	page: Page | ReturnType<Page['locator']>,
	label: string,
	message: string | RegExp
) {
	const input = page.getByLabel(label, { exact: true });
	await expect(input).toHaveAttribute('aria-invalid', 'true');
	// the description is the field's hint, if any, then its error
	const expected =
		typeof message === 'string'
			? new RegExp(`(^|\\s)${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
			: message;
	await expect(input).toHaveAccessibleDescription(expected);
}

export async function assertNoFieldErrors(page: Page) {
	await expect(page.locator('[aria-invalid="true"]')).toHaveCount(0);
}

/** The recovery codes listed on the page. */
export async function readShownCodes(page: Page): Promise<string[]> {
	const items = page.getByTestId('recovery-codes').getByRole('listitem');
	await expect(items).toHaveCount(10);
	return (await items.allTextContents()).map((t) => t.trim());
}

/** Serious and critical accessibility violations (axe, WCAG 2.1 A and AA), readable when an assertion fails. */
export async function seriousA11yViolations(page: Page) {
	return a11yViolations(page, ['serious', 'critical']);
}

/** Every axe violation (WCAG 2.1 A/AA) of the given impacts, all of them by default, one line each. */
export async function a11yViolations(
	page: Page,
	impacts: string[] = ['minor', 'moderate', 'serious', 'critical']
) {
	const results = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
		.analyze();
	return results.violations
		.filter((v) => impacts.includes(v.impact ?? ''))
		.map(
			(v) =>
				`${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
		);
}

const SCREENSHOTS = path.resolve('test-results', 'screenshots');

/** Full-page screenshots in light and dark, 1280 and 390 px wide, into test-results/screenshots/. */
export async function screenshotBothSchemes(page: Page, name: string) {
	mkdirSync(SCREENSHOTS, { recursive: true });
	const files: string[] = [];
	for (const colorScheme of ['light', 'dark'] as const)
		for (const width of [1280, 390]) {
			await page.emulateMedia({ colorScheme });
			await page.setViewportSize({ width, height: 900 });
			const file = path.join(SCREENSHOTS, `${name}-${colorScheme}-${width}.png`);
			await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
			files.push(file);
		}
	await page.emulateMedia({ colorScheme: null });
	return files;
}

/** Fails when the page scrolls sideways at desktop or phone width. */
export async function assertNoSidewaysScroll(page: Page, what: string) {
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
