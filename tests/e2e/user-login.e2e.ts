/**
 * End-user sign-in, on the main server: the admin sets up (through the admin UI) an SMTP server on a real
 * smtp-server sink, an "OTP – e-mail" generator, a TOTP generator, a local domain with e-mail OTP and users
 * with an Email, a local TOTP domain, an LDAP domain on a real slapd and an application on the test server
 * itself; then users sign in at /login: e-mail OTP with the code read from the sink and a launch from the
 * portal; brute force on a code and the same answer for an unknown user and a wrong password; TOTP
 * enrollment with the QR code decoded from the page and the code computed here, then replay refused; an
 * LDAP user with and without `mail`; a launch of an application on another origin; user and admin sessions
 * kept apart; the domain of the last sign-in preselected; and with JavaScript off the whole e-mail OTP
 * sign-in (an early "Resend" answered by the server, ?notice= keys only) and the TOTP pages, none of which
 * ships a script. Names carry a run tag: the main server is shared.
 */
import { expect, test, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jsQR from 'jsqr';
import { generate } from 'otplib';
import { ADMIN } from './support/accounts.js';
import { signIn } from './support/pages.js';
import {
	addApplication,
	addEmailGenerator,
	addSinkServer,
	endUserSteps
} from './support/end-users.js';
import { startSmtpPeer, type SmtpPeer } from '../../src/lib/server/testing/smtp-peers.js';
import { startSlapd, type SlapdServer } from '../../src/lib/server/testing/slapd.js';

test.describe.configure({ mode: 'serial' });

const run = Date.now().toString(36).slice(-6);
const NAMES = {
	application: `Launchpad ${run}`,
	externalApplication: `Elsewhere ${run}`,
	server: `Login sink ${run}`,
	emailGenerator: `Login codes ${run}`,
	totpGenerator: `Login authenticator ${run}`,
	emailDomain: `Mail domain ${run}`,
	totpDomain: `TOTP domain ${run}`,
	ldapDomain: `LDAP domain ${run}`
};
const PASSWORD = 'Lantern-Orchid-Basalt-58';
const user = (name: string) => ({
	username: `${name}.${run}`,
	email: `${name}.${run}@postern.test`,
	password: PASSWORD
});
const USERS = {
	launch: user('linus'),
	brute: user('mallory'),
	noJs: user('nojs'),
	refused: user('rita'),
	totp: user('tina'),
	noJsTotp: user('tobias')
};
const SENDER = 'noreply@postern.test';
const WRONG_CREDENTIALS = 'Wrong username or password.';

let sink: SmtpPeer;
let slapd: SlapdServer;
/** An application on another origin (its own port): what the portal's "Launch" must be able to reach. */
let elsewhere: Server;
let elsewhereOrigin = '';
const elsewhereHits: string[] = [];
const domainIds: Record<'email' | 'totp' | 'ldap', string> = { email: '', totp: '', ldap: '' };

test.beforeAll(async () => {
	sink = await startSmtpPeer({ security: 'plain', auth: 'none' });
	slapd = await startSlapd();
	elsewhere = createServer((request, response) => {
		elsewhereHits.push(request.url ?? '');
		response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		response.end('<!doctype html><title>Elsewhere</title><h1>Another application</h1>');
	});
	await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
	elsewhereOrigin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
});
test.afterAll(async () => {
	await sink?.close();
	await slapd?.stop();
	await new Promise((resolve) => elsewhere?.close(resolve));
});

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

const { addDomain, addUser, postPassword, codeFor, mailCount, signInWithEmailCode, userPage } =
	endUserSteps(() => sink);

test('admin: SMTP server on the sink, generators, domains, users and an application', async ({
	page,
	baseURL
}) => {
	// a dozen admin forms: slow when the shared machine is busy
	test.setTimeout(120_000);
	await signIn(page, ADMIN);
	await addSinkServer(page, NAMES.server, sink, SENDER);
	await addEmailGenerator(page, NAMES.emailGenerator, NAMES.server, SENDER);

	await page.goto('/admin/otp-generators/new');
	await field(page, 'OTP Type').selectOption('totp');
	await field(page, 'Display name').fill(NAMES.totpGenerator);
	await field(page, 'Issuer name').fill('Postern login e2e');
	await expect(page.getByLabel('Display a QR code on the user portal')).toBeChecked();
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/otp-generators\?saved=/);

	domainIds.email = await addDomain(page, NAMES.emailDomain, NAMES.emailGenerator);
	domainIds.totp = await addDomain(page, NAMES.totpDomain, NAMES.totpGenerator);
	domainIds.ldap = await addDomain(page, NAMES.ldapDomain, NAMES.emailGenerator, slapd);
	for (const u of [USERS.launch, USERS.brute, USERS.noJs, USERS.refused])
		await addUser(page, domainIds.email, u);
	for (const u of [USERS.totp, USERS.noJsTotp]) await addUser(page, domainIds.totp, u);

	// the application lives on the test server itself, so the launch redirect lands somewhere real
	await addApplication(page, NAMES.application, `${baseURL}/healthz?app=${run}`);
});

test('local user, e-mail OTP from the sink: portal, launch recorded in the audit log', async ({
	page,
	browser,
	baseURL
}) => {
	const u = USERS.launch;
	const userSide = await userPage(browser, baseURL);
	const seen = mailCount(u.email);
	await postPassword(userSide, domainIds.email, u);
	await expect(userSide).toHaveURL(/\/login\/otp$/);
	// the destination is shown masked
	const destination = await userSide.getByTestId('otp-destination').textContent();
	expect(destination).not.toContain(u.email);
	expect(destination).toContain('@');
	const code = await codeFor(u.email, seen);
	const mail = sink.messages.filter((m) => m.envelopeTo.includes(u.email))[seen];
	expect(mail.envelopeFrom).toBe(SENDER);
	await field(userSide, 'Code').fill(code);
	await userSide.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(userSide).toHaveURL(/\/portal$/);
	await expect(userSide.getByTestId('portal-user')).toContainText(u.username);

	const app = userSide.getByRole('listitem').filter({ hasText: NAMES.application });
	await app.getByRole('button', { name: 'Launch' }).click();
	await expect(userSide).toHaveURL(new RegExp(`/healthz\\?app=${run}$`));

	// user and admin sessions are separate: a signed-in user is sent to the admin sign-in, even with the
	// user's token copied into the admin cookie's name
	await userSide.goto('/admin');
	await expect(userSide).toHaveURL(/\/admin\/login\?next=%2Fadmin$/);
	const cookies = await userSide.context().cookies();
	const userToken = cookies.find((c) => c.name === 'postern_user');
	expect(userToken?.value).toBeTruthy();
	expect(cookies.some((c) => c.name === 'postern_admin')).toBe(false);
	await userSide.context().addCookies([{ ...userToken!, name: 'postern_admin' }]);
	await userSide.goto('/admin/audit');
	await expect(userSide).toHaveURL(/\/admin\/login\?next=%2Fadmin%2Faudit$/);
	await userSide.goto('/portal');
	await expect(userSide.getByTestId('portal-user')).toContainText(u.username);
	await userSide.context().close();

	await signIn(page, ADMIN);
	await page.goto('/admin/audit');
	await expect(
		page
			.getByRole('row')
			.filter({ hasText: 'Application launched' })
			.filter({ hasText: NAMES.application })
	).toHaveCount(1);
});

test('the site address: the sign-in page for a visitor, the portal for a signed-in user, the console for an admin', async ({
	page,
	browser,
	baseURL
}) => {
	const visitor = await userPage(browser, baseURL);
	await visitor.goto('/');
	await expect(visitor).toHaveURL(/\/login$/);
	await expect(visitor.getByRole('link', { name: 'Open the console' })).toHaveAttribute(
		'href',
		'/admin'
	);
	await signInWithEmailCode(visitor, domainIds.email, USERS.launch);
	await visitor.goto('/');
	await expect(visitor).toHaveURL(/\/portal$/);
	await visitor.context().close();

	await signIn(page, ADMIN);
	await page.goto('/');
	await expect(page).toHaveURL(/\/admin$/);
});

test('a code the mail server refused: the admin finds it in the mail log and resends a fresh one', async ({
	page,
	browser,
	baseURL
}) => {
	const u = USERS.refused;
	sink.refusedRecipients.add(u.email.toLowerCase());
	const userSide = await userPage(browser, baseURL);
	await postPassword(userSide, domainIds.email, u);
	await expect(userSide).toHaveURL(/\/login\/otp/);
	await expect(userSide.getByText('The code could not be sent.', { exact: false })).toBeVisible();

	await signIn(page, ADMIN);
	await page.goto('/admin/mail-log');
	await field(page, 'Recipient').fill(u.email);
	await field(page, 'Status').selectOption({ label: 'Failed' });
	await page.getByRole('button', { name: 'Filter' }).click();
	await expect(page).toHaveURL(/status=failed/);
	const failed = page.getByTestId('mail-row');
	await expect(failed).toHaveCount(1);
	await expect(failed).toContainText('Sign-in code');
	await expect(failed).toContainText('550');
	await expect(failed).not.toContainText(/\b\d{6}\b.*sign/i);

	// the mailbox exists now: Resend makes a new code for the same sign-in
	sink.refusedRecipients.delete(u.email.toLowerCase());
	const seen = mailCount(u.email);
	await failed.getByRole('button', { name: /^Resend/ }).click();
	await expect(page.getByRole('status').filter({ hasText: 'A new code was sent' })).toBeVisible();
	const code = await codeFor(u.email, seen);
	await field(userSide, 'Code').fill(code);
	await userSide.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(userSide).toHaveURL(/\/portal$/);
	await userSide.context().close();

	// the resend is in the log, sent, and says it is one
	await page.goto(`/admin/mail-log?to=${encodeURIComponent(u.email)}&status=sent`);
	await expect(page.getByTestId('mail-row')).toHaveCount(1);
	await expect(page.getByTestId('mail-row')).toContainText('a resend');
});

test('launching an application on another origin lands there and is audited', async ({
	page,
	browser,
	baseURL
}) => {
	expect(new URL(elsewhereOrigin).origin).not.toBe(new URL(baseURL!).origin);
	await signIn(page, ADMIN);
	await page.goto('/admin/applications/new');
	await field(page, 'Name').fill(NAMES.externalApplication);
	await field(page, 'URL').fill(`${elsewhereOrigin}/start?app=${run}`);
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page).toHaveURL(/\/admin\/applications\?saved=/);

	const userSide = await userPage(browser, baseURL);
	await signInWithEmailCode(userSide, domainIds.email, USERS.launch);
	const app = userSide.getByRole('listitem').filter({ hasText: NAMES.externalApplication });
	await app.getByRole('button', { name: 'Launch' }).click();
	await expect(userSide).toHaveURL(`${elsewhereOrigin}/start?app=${run}`);
	await expect(userSide.getByRole('heading', { name: 'Another application' })).toBeVisible();
	expect(elsewhereHits).toContain(`/start?app=${run}`);
	await userSide.context().close();

	await page.goto('/admin/audit');
	await expect(
		page
			.getByRole('row')
			.filter({ hasText: 'Application launched' })
			.filter({ hasText: NAMES.externalApplication })
	).toHaveCount(1);
});

test('5 wrong codes burn the code; unknown user and wrong password get the same answer', async ({
	browser,
	baseURL
}) => {
	const page = await userPage(browser, baseURL);
	const u = USERS.brute;
	await postPassword(page, domainIds.email, { username: `nobody.${run}`, password: PASSWORD });
	await expect(page.getByRole('alert')).toHaveText(WRONG_CREDENTIALS);
	await postPassword(page, domainIds.email, { username: u.username, password: PASSWORD + 'x' });
	await expect(page.getByRole('alert')).toHaveText(WRONG_CREDENTIALS);

	const seen = mailCount(u.email);
	await postPassword(page, domainIds.email, u);
	await expect(page).toHaveURL(/\/login\/otp$/);
	const code = await codeFor(u.email, seen);
	const wrong = code.startsWith('0') ? '1' + code.slice(1) : '0' + code.slice(1);
	for (let i = 1; i <= 4; i++) {
		await field(page, 'Code').fill(wrong);
		await page.getByRole('button', { name: 'Send', exact: true }).click();
		await expect(page.getByRole('alert')).toHaveText(
			`Wrong code. ${5 - i} ${5 - i === 1 ? 'try' : 'tries'} left.`
		);
	}
	await field(page, 'Code').fill(wrong);
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(page.getByRole('alert')).toContainText('this code no longer works');
	// the 6th try, at once (within the account's one-second delay): the right code is refused, and the page
	// says the code is used up and offers a new one, not "try again in 1 second"
	await field(page, 'Code').fill(code);
	const sixth = page.waitForResponse(
		(r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login/otp'
	);
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	// 400 (the code is used up), not 429 (throttled)
	expect((await sixth).status()).toBe(400);
	await expect(page.getByRole('alert')).toHaveText(
		'Too many wrong codes: this code no longer works. Ask for a new one.'
	);
	await expect(page.getByRole('button', { name: 'Resend code' })).toHaveClass(/btn-primary/);
	await expect(page).toHaveURL(/\/login\/otp/);
	// coming back to the page says the same
	await page.goto('/login/otp');
	await expect(page.getByRole('status')).toContainText('this code no longer works');
	await page.context().close();
});

/**
 * The otpauth:// URI in the QR code: a screenshot of the element, turned into pixels by the canvas of a blank
 * page (no PNG decoder needed, and no page CSP in the way), decoded here with jsQR.
 */
async function decodeQr(page: Page): Promise<string> {
	const qr = page.getByTestId('totp-qr');
	await expect(qr.locator('svg')).toBeVisible();
	const png = (await qr.screenshot()).toString('base64');
	const blank = await page.context().newPage();
	const pixels = await blank.evaluate(async (base64) => {
		const image = new Image();
		image.src = `data:image/png;base64,${base64}`;
		await image.decode();
		// a white quiet zone around whatever margin the SVG has
		const margin = 32;
		const canvas = document.createElement('canvas');
		canvas.width = image.naturalWidth + 2 * margin;
		canvas.height = image.naturalHeight + 2 * margin;
		const context = canvas.getContext('2d')!;
		context.fillStyle = '#fff';
		context.fillRect(0, 0, canvas.width, canvas.height);
		context.drawImage(image, margin, margin);
		const data = context.getImageData(0, 0, canvas.width, canvas.height);
		return { width: data.width, height: data.height, data: Array.from(data.data) };
	}, png);
	await blank.close();
	const decoded = jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height);
	expect(decoded, 'QR code readable').not.toBeNull();
	return decoded!.data;
}

test('TOTP: enrollment from the decoded QR code, sign-in again, replay refused', async ({
	browser,
	baseURL
}) => {
	const u = USERS.totp;
	const page = await userPage(browser, baseURL);
	await postPassword(page, domainIds.totp, u);
	await expect(page).toHaveURL(/\/login\/totp\/setup$/);
	const uri = new URL(await decodeQr(page));
	expect(uri.protocol).toBe('otpauth:');
	expect(uri.host).toBe('totp');
	const secret = uri.searchParams.get('secret')!;
	expect(secret).toBe((await page.getByTestId('totp-key').textContent())!.replace(/\s/g, ''));
	expect(uri.searchParams.get('issuer')).toBe('Postern login e2e');
	const options = { secret, algorithm: 'sha1' as const, digits: 6, period: 30 };

	const first = await generate(options);
	await field(page, 'Code from the app').fill(first);
	await page.getByRole('button', { name: 'Confirm' }).click();
	await expect(page).toHaveURL(/\/portal$/);
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/login/);

	// the domain of the last sign-in is preselected on the next visit (a fresh browser gets the default)
	await page.goto('/login');
	await expect(field(page, 'Domain')).toHaveValue(domainIds.totp);
	const fresh = await userPage(browser, baseURL);
	await fresh.goto('/login');
	await expect(field(fresh, 'Domain')).not.toHaveValue(domainIds.totp);
	await fresh.context().close();

	await postPassword(page, domainIds.totp, u);
	await expect(page).toHaveURL(/\/login\/totp$/);
	await field(page, 'Code').fill(first);
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(page.getByRole('alert')).toHaveText(
		'This code was already used. Wait for the next one.'
	);
	// the next time step's code (within the ±1 step window) is accepted
	const next = await generate({ ...options, epoch: Math.floor(Date.now() / 1000) + 30 });
	await field(page, 'Code').fill(next);
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(page).toHaveURL(/\/portal$/);
	await page.context().close();
});

test('LDAP domain on slapd: alice signs in with the code from the sink; bob has no mail', async ({
	browser,
	baseURL
}) => {
	const alice = slapd.user('alice');
	const page = await userPage(browser, baseURL);
	const seen = mailCount(alice.mail!);
	await postPassword(page, domainIds.ldap, alice);
	await expect(page).toHaveURL(/\/login\/otp$/);
	await field(page, 'Code').fill(await codeFor(alice.mail!, seen));
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	await expect(page).toHaveURL(/\/portal$/);
	await expect(page.getByTestId('portal-user')).toContainText(alice.displayName);
	await page.context().close();

	const bobPage = await userPage(browser, baseURL);
	await postPassword(bobPage, domainIds.ldap, slapd.user('bob'));
	await expect(bobPage.getByRole('alert')).toHaveText(
		'Your account has no e-mail address, so no sign-in code can be sent. Ask your administrator to add one.'
	);
	await expect(bobPage).toHaveURL(/\/login(\?|$)/);
	await bobPage.context().close();
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false });

	async function expectNoScript(page: Page) {
		await expect(page.locator('script[src]')).toHaveCount(0);
		await expect(page.locator('link[rel=modulepreload]')).toHaveCount(0);
	}

	test('e-mail OTP sign-in, an early resend, notices by key only, a launch elsewhere; no script shipped', async ({
		page
	}) => {
		const u = USERS.noJs;
		await page.goto('/login');
		await expectNoScript(page);
		const seen = mailCount(u.email);
		await postPassword(page, domainIds.email, u);
		await expect(page).toHaveURL(/\/login\/otp$/);
		await expectNoScript(page);
		const code = await codeFor(u.email, seen);

		// "Resend" can be pressed at once; the wait shows as text, and the server says how long is left
		const resend = page.getByRole('button', { name: 'Resend code' });
		await expect(resend).toBeEnabled();
		await expect(page.getByTestId('resend-status')).toHaveText(
			/^You can ask for a new code in \d+ s\.$/
		);
		await resend.click();
		await expect(page.getByRole('alert')).toHaveText(
			/^A new code can be sent 30 seconds after the last one\. Wait \d+ seconds?, then ask again\.$/
		);
		await expect(page.getByTestId('resend-status')).toHaveText(
			/^You can ask for a new code in \d+ s\.$/
		);
		expect(mailCount(u.email)).toBe(seen + 1);

		// ?notice= takes a key only: text of the link's own is not shown, a known key shows the server's text
		const phish = 'Your account is locked. Call +1 555 0100 now.';
		await page.goto(`/login/otp?notice=${encodeURIComponent(phish)}`);
		await expect(page.getByRole('heading', { name: 'Check your e-mail' })).toBeVisible();
		await expect(page.getByText('Your account is locked')).toHaveCount(0);
		await page.goto('/login/otp?notice=constructor');
		await expect(page.getByRole('heading', { name: 'Check your e-mail' })).toBeVisible();
		await expect(page.locator('.alert-warn')).toHaveCount(0);
		await page.goto('/login/otp?notice=code-not-sent');
		await expect(page.getByRole('status')).toContainText('The code could not be sent.');

		// the code sent first still works
		await field(page, 'Code').fill(code);
		await page.getByRole('button', { name: 'Send', exact: true }).click();
		await expect(page).toHaveURL(/\/portal$/);
		await expect(page.getByTestId('portal-user')).toContainText(u.username);
		await expectNoScript(page);

		const app = page.getByRole('listitem').filter({ hasText: NAMES.externalApplication });
		await app.getByRole('button', { name: 'Launch' }).click();
		await expect(page).toHaveURL(`${elsewhereOrigin}/start?app=${run}`);
	});

	test('TOTP setup and code pages ship no script', async ({ page }) => {
		const u = USERS.noJsTotp;
		await postPassword(page, domainIds.totp, u);
		await expect(page).toHaveURL(/\/login\/totp\/setup$/);
		await expectNoScript(page);
		const secret = (await page.getByTestId('totp-key').textContent())!.replace(/\s/g, '');
		const options = { secret, algorithm: 'sha1' as const, digits: 6, period: 30 };
		await field(page, 'Code from the app').fill(await generate(options));
		await page.getByRole('button', { name: 'Confirm' }).click();
		await expect(page).toHaveURL(/\/portal$/);
		await page.getByRole('button', { name: 'Sign out' }).click();
		await expect(page).toHaveURL(/\/login/);

		await postPassword(page, domainIds.totp, u);
		await expect(page).toHaveURL(/\/login\/totp$/);
		await expectNoScript(page);
		const next = await generate({ ...options, epoch: Math.floor(Date.now() / 1000) + 30 });
		await field(page, 'Code').fill(next);
		await page.getByRole('button', { name: 'Send', exact: true }).click();
		await expect(page).toHaveURL(/\/portal$/);
	});
});
