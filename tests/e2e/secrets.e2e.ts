/**
 * SECURITY.md, "secrets in responses": a stored secret never leaves the server. On the main server, as the
 * admin: an SMTP server with a password, a Microsoft 365 OAuth2 server with a client secret (saved without
 * testing) and an LDAP domain with a bind password, each a distinctive marker; then every console page reachable
 * from the console's own links (the sections, each server and domain page, the lists' other pages) is fetched
 * with the session cookie, as HTML and as its __data.json, and none may contain a marker. Nor may the server's
 * log. Names carry a run tag: the main server is shared with the specs running in parallel.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN } from './support/accounts.js';
import { send, signInOverHttp } from './support/http.js';
import { signIn } from './support/pages.js';
import { populateBasicServer } from './support/smtp.js';

test.describe.configure({ mode: 'serial' });

const run = randomBytes(4).toString('hex');
const SECRETS = {
	'SMTP password': `smtp-pw-${run}-Qx7`,
	'Microsoft client secret': `ms~secret.${run}_Zk9`,
	'LDAP bind password': `ldap-bind-${run}-Vw3`
};
const NAMES = {
	smtp: `Secrets basic ${run}`,
	microsoft: `Secrets Microsoft ${run}`,
	domain: `Secrets LDAP ${run}`
};
/** The console sections; each server's and domain's own page are found from the lists' links. */
const SECTIONS = [
	'/admin',
	'/admin/smtp-servers',
	'/admin/domains',
	'/admin/site',
	'/admin/audit',
	'/admin/otp-generators',
	'/admin/users',
	'/admin/applications',
	'/admin/account'
];
/** Links that are not pages to read (sign-out is a form; the signed-out pages are not the console). */
const NOT_PAGES = /^\/admin\/(logout|login|forgot|reset)(\/|\?|$)/;
/** Enough for the lists' own pages on a server every spec adds to; the seeded pages come first. */
const MAX_PAGES = 400;
const LOG = path.resolve('test-results', 'servers', 'main.log');

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** The secrets as they could show up: as typed, base64 (an AUTH line), percent-encoded. */
function forms(secret: string) {
	return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)];
}

function assertNoSecret(text: string, where: string) {
	for (const [what, secret] of Object.entries(SECRETS))
		for (const form of forms(secret))
			expect(text.includes(form), `${what} (${form}) found in ${where}`).toBe(false);
}

let smtpId = '';
let microsoftId = '';
let domainId = '';

test('store an SMTP password, a Microsoft client secret and an LDAP bind password', async ({
	page
}) => {
	await signIn(page, ADMIN);

	await page.goto('/admin/smtp-servers/new');
	await populateBasicServer(page, {
		name: NAMES.smtp,
		host: '127.0.0.1',
		port: 2525,
		username: `mailer-${run}`,
		password: SECRETS['SMTP password'],
		fromAddress: `basic-${run}@postern.test`
	});
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page).toHaveURL(/\/admin\/smtp-servers\?saved=/);
	smtpId = await linkId(page, NAMES.smtp, 'smtp-servers');

	await page.goto('/admin/smtp-servers/new');
	await field(page, 'Display name').fill(NAMES.microsoft);
	await page.getByRole('radio', { name: 'Microsoft 365 OAuth2' }).check();
	await field(page, 'Tenant ID').fill('6f1c3a2e-8d4b-4c1a-9e7f-2b5d8c9a0e1f');
	await field(page, 'Client ID').fill('0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d');
	await page.getByLabel(/^\s*Client secret(\s+set)?\s*$/).fill(SECRETS['Microsoft client secret']);
	await field(page, 'Mailbox').fill(`mailbox-${run}@postern.test`);
	await field(page, 'Sender address').fill(`mailbox-${run}@postern.test`);
	// Save, without a configuration test (none could reach Microsoft from here)
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page).toHaveURL(/\/admin\/smtp-servers\?saved=/);
	microsoftId = await linkId(page, NAMES.microsoft, 'smtp-servers');

	await page.goto('/admin/domains/new');
	await page.getByRole('radio', { name: 'LDAP' }).check();
	await field(page, 'Name').fill(NAMES.domain);
	await field(page, 'URL').fill('ldap://127.0.0.1:3389');
	await page.getByLabel('StartTLS').check();
	await field(page, 'Bind DN').fill(`cn=reader-${run},dc=postern,dc=test`);
	await page.getByLabel(/^\s*Bind password(\s+set)?\s*$/).fill(SECRETS['LDAP bind password']);
	await field(page, 'Base DN').fill('ou=people,dc=postern,dc=test');
	await field(page, 'User filter').fill('(uid={username})');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page).toHaveURL(/\/admin\/domains\?saved=/);
	domainId = await linkId(page, NAMES.domain, 'domains');
});

/** The id in the list's link to the record just saved. */
async function linkId(page: Page, name: string, section: string) {
	const href = await page.getByRole('link', { name, exact: true }).getAttribute('href');
	const id = href?.match(new RegExp(`^/admin/${section}/([0-9a-f-]{36})$`))?.[1];
	expect(id, `${name}: ${href}`).toBeTruthy();
	return id!;
}

/** Console links in a page: same-site /admin paths (with their query), without fragments. */
function consoleLinks(html: string): string[] {
	const links = new Set<string>();
	for (const [, raw] of html.matchAll(/href="([^"]*)"/g)) {
		const href = raw.replaceAll('&amp;', '&');
		if (!href.startsWith('/admin') || href.startsWith('//')) continue;
		const url = new URL(href, 'http://postern.invalid');
		if (NOT_PAGES.test(url.pathname)) continue;
		links.add(`${url.pathname}${url.search}`);
	}
	return [...links];
}

function dataUrl(page: string) {
	const url = new URL(page, 'http://postern.invalid');
	return `${url.pathname.replace(/\/$/, '')}/__data.json${url.search}`;
}

test('no console page, as HTML or __data.json, contains a stored secret', async ({ baseURL }) => {
	test.setTimeout(300_000);
	const { token } = await signInOverHttp(baseURL!);
	const cookie = `postern_admin=${token}`;
	const mustRead = [
		...SECTIONS,
		`/admin/smtp-servers/${smtpId}`,
		`/admin/smtp-servers/${microsoftId}`,
		`/admin/domains/${domainId}`,
		`/admin/users?domain=${domainId}`,
		'/admin/site?edit=smtp',
		'/admin/site?edit=accounts'
	];
	const queue = [...mustRead];
	const seen = new Set(queue);
	const read: string[] = [];
	while (queue.length > 0 && read.length < MAX_PAGES) {
		const page = queue.shift()!;
		const html = await send(`${baseURL}${page}`, { cookie });
		// a record another spec deleted meanwhile is gone; what this spec reads must be there
		if (!mustRead.includes(page) && (html.status === 404 || html.status === 303)) continue;
		expect(html.status, `GET ${page}`).toBe(200);
		assertNoSecret(html.body, `${page} (HTML)`);
		const data = await send(`${baseURL}${dataUrl(page)}`, {
			cookie,
			headers: { accept: 'application/json' }
		});
		expect(data.status, `GET ${dataUrl(page)}`).toBe(200);
		expect(data.headers.get('content-type'), dataUrl(page)).toContain('json');
		assertNoSecret(data.body, `${dataUrl(page)}`);
		read.push(page);
		for (const link of consoleLinks(html.body))
			if (!seen.has(link)) {
				seen.add(link);
				queue.push(link);
			}
	}
	for (const page of mustRead) expect(read, page).toContain(page);

	// the right pages: the records are there, with their non-secret settings, and marked as holding a secret
	const list = await send(`${baseURL}/admin/smtp-servers`, { cookie });
	expect(list.body).toContain(NAMES.smtp);
	expect(list.body).toContain(NAMES.microsoft);
	const microsoft = await send(`${baseURL}/admin/smtp-servers/${microsoftId}/__data.json`, {
		cookie
	});
	expect(microsoft.body).toContain(`mailbox-${run}@postern.test`);
	expect(microsoft.body).toContain('hasClientSecret');
	const domain = await send(`${baseURL}/admin/domains/${domainId}`, { cookie });
	expect(domain.body).toContain(`cn=reader-${run},dc=postern,dc=test`);
	expect(read.length).toBeGreaterThan(mustRead.length);
});

test('the server log holds none of them', async () => {
	// the log has this spec's requests (the path of each record's page) before it is searched
	await expect
		.poll(() => readFileSync(LOG, 'utf8').includes(`/admin/domains/${domainId}`), {
			message: `${LOG} records the requests of this spec`
		})
		.toBe(true);
	assertNoSecret(readFileSync(LOG, 'utf8'), LOG);
});
