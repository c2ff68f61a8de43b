/**
 * Bad input is a 4xx, never a 5xx, and never a change. Every form action is read from src/routes at test time
 * (a new action is covered without touching this file) and posted random values on a server of its own:
 * the console's actions signed in as the admin, the public ones signed out. Every generated value is invalid
 * for any field: a control character no field accepts, between other characters so trimming cannot remove
 * it, or (in number inputs) a number out of range or not whole. So nothing may be stored: the console's
 * data, read through every page's __data.json (the audit log included), is the same before and after.
 * Actions that take no input at all (signing out, switching site mail off) cannot be given bad input: they
 * are posted too (no 5xx), but are allowed to act.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { testWithOwnServer, expect } from './support/fixtures.js';
import { send, setUpOverHttp, signInOverHttp, type Reply } from './support/http.js';

// The sweep's health checks and condition alerts change the alerts pages on their own, once a minute: this
// instance leaves them out, so a change seen here is the posts' doing.
const test = testWithOwnServer('fuzz', { POSTERN_ALERT_SWEEP: 'false' });
test.describe.configure({ mode: 'serial' });

const ROUTES = path.resolve('src', 'routes');
/** Mock-mode only: production builds answer 404 there. */
const SKIPPED_TREES = new Set(['dev']);
/** Console paths open without a session (as in guard.e2e.ts). */
const PUBLIC_ADMIN = new Set(['/admin/login', '/admin/forgot', '/admin/reset']);
/**
 * Actions that read no field (their only input, if any, is the record in the URL): nothing to make invalid.
 * They are posted too, for "no 5xx", but may act; they run last, so nothing else is compared after them.
 */
const TAKES_NO_INPUT = new Set([
	'/admin/alerts checkNow',
	'/admin/logout default',
	'/admin/site smtpOff',
	'/admin/users/[id] resetTotp',
	'/admin/users/[id] delete',
	'/portal signOut'
]);
const RUNS_PER_ACTION = 6;
const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';

/** Refused in every text field, multi-line ones included (tab, CR and LF are allowed there). */
const REFUSED_EVERYWHERE = [
	'\u0000',
	'\u0001',
	'\u0008',
	'\u000b',
	'\u000c',
	'\u000e',
	'\u001b',
	'\u001f',
	'\u007f',
	'\u0085',
	'\u2028',
	'\u2029'
];
const BAD_NUMBERS = ['1e308', '-1', '0', '65536', '1.5', '9'.repeat(30), '80abc', 'Infinity'];

interface Action {
	/** URL path with sample segments, e.g. /admin/smtp-servers/[id]. */
	route: string;
	segments: string[];
	name: string;
	console: boolean;
}

function actionsOf(source: string): string[] {
	const block = source.split(/export const actions[^=]*=/)[1];
	if (!block) return [];
	const names = [...block.matchAll(/^\t(\w+)\s*:/gm)].map((m) => m[1]);
	return names.length ? names : ['default'];
}

function formActions(dir = ROUTES, segments: string[] = []): Action[] {
	const entries = readdirSync(dir, { withFileTypes: true });
	const found: Action[] = [];
	const server = entries.find((e) => e.isFile() && /^\+page\.server\.[jt]s$/.test(e.name));
	if (server) {
		const route = `/${segments.filter((s) => !/^\(.*\)$/.test(s)).join('/')}`;
		const isConsole =
			(route === '/admin' || route.startsWith('/admin/')) && !PUBLIC_ADMIN.has(route);
		for (const name of actionsOf(readFileSync(path.join(dir, server.name), 'utf8')))
			found.push({ route, segments, name, console: isConsole });
	}
	for (const entry of entries.filter((e) => e.isDirectory())) {
		if (segments.length === 0 && SKIPPED_TREES.has(entry.name)) continue;
		found.push(...formActions(path.join(dir, entry.name), [...segments, entry.name]));
	}
	return found;
}

const ACTIONS = formActions();

/** What the seed created, by the folder an `[id]` sits in. */
const seeded: Record<string, string> = {};
let cookie = '';
let base = '';
/** The spec's own Postern (its data folder holds the setup code). */
let instance: { url: string; dataDir: string };

/** The URL path of a route: an `[id]` is the seeded record of its folder, or `id` when given. */
function pathOf(segments: string[], id?: string) {
	const parts = segments
		.filter((s) => !/^\(.*\)$/.test(s) && !/^\[\[.*\]\]$/.test(s))
		.map((s, i) =>
			s.startsWith('[') ? encodeURIComponent(id ?? seeded[segments[i - 1]] ?? SAMPLE_ID) : s
		);
	return `/${parts.join('/')}`;
}

/** Some pages need the local domain in the query (users/new); every other page ignores it. */
function actionUrl(action: Action, id?: string) {
	const query = action.name === 'default' ? '?' : `?/${action.name}&`;
	return `${base}${pathOf(action.segments, id)}${query}domain=${seeded.domains}`;
}

const key = (action: Action) => `${action.route} ${action.name}`;

async function signIn() {
	const { token } = await signInOverHttp(base);
	cookie = `postern_admin=${token}`;
}

function idsLinked(html: string, section: string): string[] {
	const pattern = new RegExp(`/admin/${section}/([0-9a-f-]{36})`, 'g');
	return [...new Set([...html.matchAll(pattern)].map((m) => m[1]))];
}

async function createAndFind(section: string, url: string, form: Record<string, string>) {
	const before = idsLinked((await send(`${base}/admin/${section}`, { cookie })).body, section);
	const reply = await send(url, { form, cookie });
	expect(reply.status, `${url}: ${reply.body.slice(0, 300)}`).toBe(303);
	const list = section === 'users' ? `/admin/users?domain=${seeded.domains}` : `/admin/${section}`;
	const after = idsLinked((await send(`${base}${list}`, { cookie })).body, section);
	const id = after.find((i) => !before.includes(i));
	expect(id, `new ${section} id`).toBeTruthy();
	return id!;
}

/** The SMTP server the spec saves (a relay nobody connects to). */
const RELAY = {
	name: 'Fuzz relay',
	host: '127.0.0.1',
	port: '2525',
	security: 'none',
	fromAddress: 'noreply@example.com',
	fromName: 'Postern',
	auth: 'none',
	verifyTls: 'on',
	caPem: '',
	timeoutSeconds: '5'
};

async function seed() {
	await setUpOverHttp(instance);
	await signIn();
	const server = RELAY;
	seeded['smtp-servers'] = await createAndFind(
		'smtp-servers',
		`${base}/admin/smtp-servers/new?/save`,
		server
	);
	seeded['otp-generators'] = await createAndFind(
		'otp-generators',
		`${base}/admin/otp-generators/new?/save`,
		{
			type: 'email',
			name: 'Fuzz codes',
			smtpServerId: seeded['smtp-servers'],
			sender: 'codes@example.com',
			codeLength: '6',
			validityMinutes: '5'
		}
	);
	seeded.domains = await createAndFind('domains', `${base}/admin/domains/new?/save`, {
		kind: 'local',
		name: 'Fuzz staff',
		otpGeneratorId: '',
		emailAttribute: 'email'
	});
	seeded.ldapDomain = await createAndFind('domains', `${base}/admin/domains/new?/save`, {
		kind: 'ldap',
		name: 'Fuzz directory',
		otpGeneratorId: '',
		emailAttribute: 'mail',
		url: 'ldap://127.0.0.1:1',
		caPem: '',
		bindDn: '',
		bindPassword: '',
		baseDn: 'ou=people,dc=example,dc=org',
		userFilter: '(uid={username})',
		timeoutSeconds: '2'
	});
	seeded.applications = await createAndFind(
		'applications',
		`${base}/admin/applications/new?/save`,
		{ name: 'Fuzz wiki', url: 'https://wiki.example.com', description: '' }
	);
	seeded.users = await createAndFind('users', `${base}/admin/users/new?domain=${seeded.domains}`, {
		username: 'fuzz-user',
		displayName: 'Fuzz User',
		email: 'fuzz-user@example.com',
		password: 'Sturdy-Kettle-Lantern-58'
	});
}

/** Every page that shows stored data, as the admin sees it. */
function dataPages(): string[] {
	const pages = new Set<string>();
	const walk = (dir: string, segments: string[]) => {
		const entries = readdirSync(dir, { withFileTypes: true });
		if (entries.some((e) => e.isFile() && e.name === '+page.svelte')) pages.add(pathOf(segments));
		for (const entry of entries.filter((e) => e.isDirectory()))
			walk(path.join(dir, entry.name), [...segments, entry.name]);
	};
	walk(path.join(ROUTES, 'admin'), ['admin']);
	pages.delete('/admin/logout');
	pages.delete('/admin/login');
	return [...pages].sort();
}

async function snapshot(): Promise<Record<string, string>> {
	const state: Record<string, string> = {};
	for (const page of dataPages()) {
		const reply = await send(`${base}${page}/__data.json?domain=${seeded.domains}`, { cookie });
		state[page] = `${reply.status} ${reply.body}`;
	}
	return state;
}

/**
 * Every field name the app's forms use: the names in the pages' HTML as their visitors see them, and the
 * keys of the data the pages load (superforms' form data holds every field, also of forms a page shows only
 * in another state, such as a section's edit mode). Extra names do no harm: each gets an invalid value too.
 */
async function fieldNames(): Promise<string[]> {
	const names = new Set<string>(['id', 'code', 'application', 'currentPassword']);
	const pages = [...dataPages(), '/login', '/admin/login', '/admin/forgot', '/admin/reset'];
	for (const page of pages) {
		const signedIn = page.startsWith('/admin') && !PUBLIC_ADMIN.has(page);
		const visitor = signedIn ? { cookie } : {};
		const html = (await send(`${base}${page}?domain=${seeded.domains}`, visitor)).body;
		for (const m of html.matchAll(/<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"/g))
			names.add(m[1]);
		const data = await send(`${base}${page}/__data.json?domain=${seeded.domains}`, visitor);
		if (data.status !== 200) continue;
		for (const node of JSON.parse(data.body).nodes ?? [])
			for (const item of node?.data ?? [])
				if (item && typeof item === 'object' && !Array.isArray(item))
					for (const name of Object.keys(item)) names.add(name);
	}
	return [...names].sort();
}

/** Names of number inputs, which also get numbers out of range. */
async function numberFieldNames(): Promise<Set<string>> {
	const names = new Set<string>();
	for (const page of dataPages()) {
		const html = (await send(`${base}${page}?domain=${seeded.domains}`, { cookie })).body;
		for (const m of html.matchAll(/<input\b[^>]*>/g)) {
			const name = m[0].match(/\bname="([^"]+)"/)?.[1];
			if (name && /\btype="number"/.test(m[0])) names.add(name);
		}
	}
	return names;
}

const poisonedText = fc
	.tuple(
		fc.string({ unit: 'binary', maxLength: 12 }),
		fc.constantFrom(...REFUSED_EVERYWHERE),
		fc.string({ unit: 'binary', maxLength: 12 })
	)
	.map(([before, control, after]) => `a${before}${control}${after}z`);

function postArbitrary(names: string[], numbers: Set<string>) {
	const fields: Record<string, fc.Arbitrary<string>> = {};
	for (const name of names)
		fields[name] = numbers.has(name)
			? fc.oneof(poisonedText, fc.constantFrom(...BAD_NUMBERS))
			: poisonedText;
	return fc.record({
		fields: fc.record(fields),
		multipart: fc.boolean(),
		enhanced: fc.boolean(),
		// on routes with an [id], sometimes an invalid id in the URL too
		badId: fc.option(poisonedText, { freq: 3 })
	});
}

type FuzzedPost = {
	fields: Record<string, string>;
	multipart: boolean;
	enhanced: boolean;
	badId: string | null;
};

function encode(fields: Record<string, string>, multipart: boolean): string | FormData {
	if (!multipart) return new URLSearchParams(fields).toString();
	const data = new FormData();
	for (const [name, value] of Object.entries(fields)) data.set(name, value);
	return data;
}

/** Posts as the visitor the action is for; signs in again when the post ended the admin's session. */
async function post(
	action: Action,
	{ fields, multipart, enhanced, badId }: FuzzedPost
): Promise<Reply> {
	const reply = await send(actionUrl(action, badId ?? undefined), {
		body: encode(fields, multipart),
		contentType: multipart ? undefined : 'application/x-www-form-urlencoded',
		cookie: action.console ? cookie : undefined,
		headers: enhanced ? { accept: 'application/json', 'x-sveltekit-action': 'true' } : {}
	});
	if (action.console && reply.setCookies.some((c) => /^postern_admin=;/.test(c))) await signIn();
	return reply;
}

function expectNoServerError(reply: Reply, what: string) {
	expect(reply.status, `${what}: ${reply.body.slice(0, 400)}`).toBeLessThan(500);
	if (reply.headers.get('content-type')?.includes('application/json')) {
		const result = JSON.parse(reply.body);
		expect(result.status ?? 0, `${what}: ${reply.body.slice(0, 400)}`).toBeLessThan(500);
	}
}

test.beforeAll(async ({ server }) => {
	base = server.url;
	instance = server;
	await seed();
});

test('the actions are read from src/routes, console and public alike', () => {
	const keys = ACTIONS.map(key);
	for (const known of [
		'/admin/login default',
		'/admin/smtp-servers/[id] save',
		'/admin/site smtpOff',
		'/login default',
		'/login/otp verify',
		'/portal signOut',
		'/setup default'
	])
		expect(keys).toContain(known);
	expect(keys.some((k) => k.startsWith('/dev/'))).toBe(false);
	for (const listed of TAKES_NO_INPUT) expect(keys).toContain(listed);
});

test('a NUL in a sign-in username is a 400 with the field error, not a 500', async () => {
	const message = 'Username contains a control character (an invisible character such as NUL)';
	for (const domain of [seeded.domains, seeded.ldapDomain]) {
		const reply = await send(`${base}/login`, {
			form: { domain, username: 'alice\u0000', password: 'Sturdy-Kettle-Lantern-58' }
		});
		expect(reply.status, reply.body.slice(0, 300)).toBe(400);
		expect(reply.body).toContain(message);
	}
	const admin = await send(`${base}/admin/login`, {
		form: { username: 'site-admin\u0000', password: 'x\u0000' }
	});
	expect(admin.status, admin.body.slice(0, 300)).toBe(400);
	expect(admin.body).toContain(message);
});

test('a number out of range is refused, never stored as something else', async () => {
	const before = await snapshot();
	const reply = await send(`${base}/admin/smtp-servers/${seeded['smtp-servers']}?/save`, {
		cookie,
		form: { ...RELAY, port: '1e308' }
	});
	expect(reply.status).toBe(400);
	expect(reply.body).toContain('The port is between 1 and 65535.');
	expect(await snapshot()).toEqual(before);
});

test('a malformed multipart body is a 400 with a message on every action', async () => {
	for (const action of ACTIONS) {
		const reply = await send(actionUrl(action), {
			body: '--nothing\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice',
			contentType: 'multipart/form-data; boundary=another',
			cookie: action.console ? cookie : undefined
		});
		expect(reply.status, key(action)).toBe(400);
		expect(reply.body, key(action)).toContain('The form could not be read');
	}
});

test('the snapshot sees a stored change (so "no change" below means something)', async () => {
	const before = await snapshot();
	const again = await snapshot();
	expect(again, 'nothing happened in between').toEqual(before);
	await createAndFind('applications', `${base}/admin/applications/new?/save`, {
		name: 'Snapshot probe',
		url: 'https://probe.example.com',
		description: ''
	});
	expect(await snapshot()).not.toEqual(before);
});

test('random invalid posts to every action: never a 5xx, never a change', async () => {
	test.setTimeout(150_000);
	const names = await fieldNames();
	const numbers = await numberFieldNames();
	expect(numbers).toContain('port');
	const arbitrary = postArbitrary(names, numbers);
	// the actions that may act go last, so their changes are not compared with anything
	const ordered = [
		...ACTIONS.filter((a) => !TAKES_NO_INPUT.has(key(a))),
		...ACTIONS.filter((a) => TAKES_NO_INPUT.has(key(a)))
	];
	let posts = 0;
	for (const action of ordered) {
		const before = await snapshot();
		await fc.assert(
			fc.asyncProperty(arbitrary, async (fuzzed) => {
				const reply = await post(action, fuzzed);
				expectNoServerError(reply, key(action));
				posts++;
			}),
			{ numRuns: RUNS_PER_ACTION, endOnFailure: true }
		);
		if (!TAKES_NO_INPUT.has(key(action)))
			expect(await snapshot(), `${key(action)} changed stored data`).toEqual(before);
	}
	expect(posts).toBe(ordered.length * RUNS_PER_ACTION);
});
