/**
 * The Microsoft 365 method shows the token endpoint and scope it uses, read-only, in both
 * places it is edited: the SMTP server editor and the site settings' SMTP method. The endpoint follows the
 * tenant ID as typed and the cloud chosen. Nothing is saved: the main server's data stays as it was.
 */
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { ADMIN } from './support/accounts.js';
import { signIn } from './support/pages.js';

const TENANT = '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d';

async function expectTokenRequestFollowsTheForm(scope: Locator | Page) {
	await scope.getByRole('radio', { name: 'Microsoft 365 OAuth2' }).check();
	const endpoint = scope.getByLabel('Token endpoint', { exact: true });
	const tokenScope = scope.getByLabel('Scope', { exact: true });
	await expect(endpoint).toHaveJSProperty('readOnly', true);
	await expect(tokenScope).toHaveJSProperty('readOnly', true);
	// shown, never posted: the server derives the endpoint itself
	await expect(endpoint).not.toHaveAttribute('name');
	await expect(tokenScope).not.toHaveAttribute('name');

	await scope.getByLabel('Tenant ID', { exact: true }).fill('');
	await expect(endpoint).toHaveValue(
		'https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token'
	);
	await scope.getByLabel('Tenant ID', { exact: true }).fill(TENANT);
	await expect(endpoint).toHaveValue(
		`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`
	);
	await expect(tokenScope).toHaveValue('https://outlook.office365.com/.default');

	await scope.getByLabel('Tenant ID', { exact: true }).fill('contoso.onmicrosoft.us');
	await scope.getByLabel('Cloud', { exact: true }).selectOption('usgov');
	await expect(endpoint).toHaveValue(
		'https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token'
	);
	await expect(tokenScope).toHaveValue('https://outlook.office365.us/.default');

	await scope.getByLabel('Cloud', { exact: true }).selectOption('china');
	await expect(endpoint).toHaveValue(
		'https://login.chinacloudapi.cn/contoso.onmicrosoft.us/oauth2/v2.0/token'
	);
	await expect(tokenScope).toHaveValue('https://partner.outlook.cn/.default');
}

test('the SMTP server editor shows the token endpoint and scope of the tenant and cloud', async ({
	page
}) => {
	await signIn(page, ADMIN);
	await page.goto('/admin/smtp-servers/new');
	await expectTokenRequestFollowsTheForm(page);
});

test('the site settings’ SMTP method shows them too', async ({ page }) => {
	await signIn(page, ADMIN);
	// the SMTP method is shown while switching SMTP on (nothing is switched on or saved here)
	await page.goto('/admin/site?enable=1&edit=smtp');
	await expectTokenRequestFollowsTheForm(
		page.getByRole('region', { name: 'SMTP method', exact: true })
	);
});
