/**
 * An LDAP directory, mocked: an in-memory tree under `dc=example,dc=test` answering for every URL whose host is
 * `ldap.mock.test` (ldap:// and ldaps://, any port). Used by the tests and by mock mode (`npm run dev:mock`), so
 * it imports no test framework. Give its factory to the directory module's client seam:
 * `useLdapClientFactory(createLdapMockFactory())`; every other URL still gets a real ldapts Client.
 *
 * Only the network is replaced. The client answers like ldapts does against OpenLDAP, built from ldapts' own
 * pieces: filters are parsed by ldapts' FilterParser and evaluated by its filter classes (each value of a
 * multi-valued attribute in turn, as a server does), failures are ldapts' own error classes with their result
 * codes (49 InvalidCredentialsError, 32 NoSuchObjectError, 4 SizeLimitExceededError ...) or Node's socket error
 * (ECONNREFUSED), and entries come back shaped as ldapts shapes them. So ldap.ts runs its real logic: service
 * bind, escaped filter, bind as the user, attributes, diagnoses.
 *
 * A scenario switch makes the directory fail the ways real ones do: the service account's bind refused (49),
 * the server unreachable (connection refused), slow answers (past the domain's timeout: ldapts' timeout error).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
	AndFilter,
	FilterParser,
	InsufficientAccessError,
	InvalidCredentialsError,
	NoSuchObjectError,
	NotFilter,
	OperationsError,
	OrFilter,
	SizeLimitExceededError,
	UnwillingToPerformError,
	type Entry,
	type Filter,
	type SearchOptions,
	type SearchResult
} from 'ldapts';
import type { LdapClient, LdapClientFactory } from '../lib/server/directory/ldap.js';
import type { LdapSettings } from '../lib/server/directory/types.js';
import { DEMO_PASSWORD } from '../lib/server/identity/seed.js';

export const MOCK_LDAP_HOST = 'ldap.mock.test';

/** What an LDAP domain needs to use the mock directory (the seed's "Example LDAP (mock)"). */
export const MOCK_LDAP = {
	url: `ldap://${MOCK_LDAP_HOST}:389`,
	ldapsUrl: `ldaps://${MOCK_LDAP_HOST}:636`,
	bindDn: 'cn=postern,ou=services,dc=example,dc=test',
	bindPassword: 'Mock-LDAP-Service-2026',
	baseDn: 'ou=people,dc=example,dc=test',
	userFilter: '(uid={username})',
	emailAttribute: 'mail'
} as const;

/** The people in the mock directory; both sign in with the identity seed's DEMO_PASSWORD. */
export const MOCK_LDAP_USERS = [
	{
		username: 'alice',
		dn: 'uid=alice,ou=people,dc=example,dc=test',
		displayName: 'Alice Archer',
		email: 'alice@example.test',
		password: DEMO_PASSWORD
	},
	{
		username: 'bob',
		dn: 'uid=bob,ou=people,dc=example,dc=test',
		displayName: 'Bob Nomail',
		email: null,
		password: DEMO_PASSWORD
	}
] as const;

export const LDAP_SCENARIOS = [
	{ id: 'success', label: 'Directory answers' },
	{ id: 'bind-refused', label: 'Service account bind refused (49 invalid credentials)' },
	{ id: 'unreachable', label: 'Server unreachable (connection refused)' },
	{ id: 'slow', label: 'Slow answers (2 s per operation)' }
] as const;

export type LdapScenario = (typeof LDAP_SCENARIOS)[number]['id'];

const DEFAULT_SLOW_MS = 2_000;
const MAX_REMEMBERED_OPERATIONS = 1000;

interface MockEntry {
	dn: string;
	/** User attributes, returned for `*`. */
	attributes: Record<string, string[]>;
	/** Operational attributes, returned only when asked for by name or with `+`. */
	operational: Record<string, string[]>;
	/** The entry's userPassword: checked by binds, never returned (the usual `by anonymous auth` ACL). */
	password?: string;
}

const person = (
	uid: string,
	cn: string,
	sn: string,
	uuid: string,
	extra: Record<string, string[]> = {}
): MockEntry => ({
	dn: `uid=${uid},ou=people,dc=example,dc=test`,
	attributes: {
		objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
		uid: [uid],
		cn: [cn],
		sn: [sn],
		givenName: [cn.split(' ')[0]],
		displayName: [cn],
		...extra
	},
	operational: { entryUUID: [uuid] },
	password: DEMO_PASSWORD
});

const ENTRIES: MockEntry[] = [
	{
		dn: 'dc=example,dc=test',
		attributes: {
			objectClass: ['top', 'dcObject', 'organization'],
			dc: ['example'],
			o: ['Example (mock directory)']
		},
		operational: { entryUUID: ['8c1f0f7e-0a4b-4d59-9a0e-3b1f5e2a6c01'] }
	},
	{
		dn: 'ou=services,dc=example,dc=test',
		attributes: { objectClass: ['top', 'organizationalUnit'], ou: ['services'] },
		operational: { entryUUID: ['8c1f0f7e-0a4b-4d59-9a0e-3b1f5e2a6c02'] }
	},
	{
		dn: MOCK_LDAP.bindDn,
		attributes: {
			objectClass: ['top', 'applicationProcess', 'simpleSecurityObject'],
			cn: ['postern'],
			description: ['Service account Postern searches users with']
		},
		operational: { entryUUID: ['8c1f0f7e-0a4b-4d59-9a0e-3b1f5e2a6c03'] },
		password: MOCK_LDAP.bindPassword
	},
	{
		dn: 'ou=people,dc=example,dc=test',
		attributes: { objectClass: ['top', 'organizationalUnit'], ou: ['people'] },
		operational: { entryUUID: ['8c1f0f7e-0a4b-4d59-9a0e-3b1f5e2a6c04'] }
	},
	person('alice', 'Alice Archer', 'Archer', '5b0d7c1e-2f3a-4b6c-8d9e-a1b2c3d4e5f6', {
		mail: ['alice@example.test'],
		telephoneNumber: ['+41 22 555 01 01'],
		title: ['Line supervisor']
	}),
	person('bob', 'Bob Nomail', 'Nomail', '6c1e8d2f-3a4b-4c7d-9e0f-b2c3d4e5f6a7', {
		title: ['Kiosk operator']
	})
];

let scenario: LdapScenario = 'success';
let slowMs = DEFAULT_SLOW_MS;
const operations: MockLdapOperation[] = [];

/** Chooses how the directory answers from now on. */
export function setLdapScenario(next: LdapScenario | string, options: { delayMs?: number } = {}) {
	if (!LDAP_SCENARIOS.some((s) => s.id === next))
		throw new Error(`unknown LDAP scenario "${next}"`);
	scenario = next as LdapScenario;
	slowMs = options.delayMs ?? DEFAULT_SLOW_MS;
}

export function getLdapScenario(): LdapScenario {
	return scenario;
}

/** Back to success, with no operation remembered. */
export function resetLdapMock() {
	scenario = 'success';
	slowMs = DEFAULT_SLOW_MS;
	operations.length = 0;
}

/** Every operation the mock answered or refused (never a password). */
export function listLdapOperations(): readonly MockLdapOperation[] {
	return operations;
}

/** True for ldap:// and ldaps:// URLs on the mock host. */
export function isMockLdapUrl(url: string): boolean {
	try {
		const parsed = new URL(url);
		return /^ldaps?:$/i.test(parsed.protocol) && parsed.hostname.toLowerCase() === MOCK_LDAP_HOST;
	} catch {
		return false;
	}
}

/** For `useLdapClientFactory`: a mock client for the mock host, undefined (a real client) for any other. */
export function createLdapMockFactory(): LdapClientFactory {
	return (settings) => (isMockLdapUrl(settings.url) ? new MockLdapClient(settings) : undefined);
}

/** One connection to the mock directory, answering like ldapts' Client (connects on the first operation). */
class MockLdapClient implements LdapClient {
	private connected = false;
	private tls: boolean;
	/** Normalised DN of the identity bound as, null while anonymous. */
	private boundAs: string | null = null;
	private readonly timeoutMs: number;
	private readonly settings: LdapSettings;

	constructor(settings: LdapSettings) {
		this.settings = settings;
		this.tls = settings.url.toLowerCase().startsWith('ldaps:');
		this.timeoutMs = Math.max(1, settings.timeoutSeconds) * 1000;
	}

	async bind(dn: string | { toString(): string }, password?: string): Promise<void> {
		const name = String(dn);
		const record = (outcome: string) => remember({ op: 'bind', dn: name, outcome });
		try {
			await this.operation('BindRequest');
		} catch (error) {
			record(outcomeOf(error));
			throw error;
		}
		// A failed bind leaves the connection anonymous (RFC 4513 4).
		this.boundAs = null;
		if (!password) {
			if (!name) return record('anonymous');
			// OpenLDAP's default: a DN without a password is an unauthenticated bind, refused.
			record('53');
			throw new UnwillingToPerformError('unauthenticated bind (DN with no password) disallowed');
		}
		const entry = findEntry(name);
		const refused =
			scenario === 'bind-refused' && normaliseDn(name) === normaliseDn(MOCK_LDAP.bindDn);
		// Unknown DN and wrong password get the same answer, as from a real server.
		if (refused || !entry || entry.password === undefined || entry.password !== password) {
			record('49');
			throw new InvalidCredentialsError();
		}
		this.boundAs = normaliseDn(entry.dn);
		record('ok');
	}

	async startTLS(): Promise<void> {
		await this.operation('ExtendedRequest');
		if (this.tls) {
			remember({ op: 'starttls', outcome: '1' });
			throw new OperationsError('TLS already started');
		}
		this.tls = true;
		remember({ op: 'starttls', outcome: 'ok' });
	}

	async search(
		baseDN: string | { toString(): string },
		options: SearchOptions = {}
	): Promise<SearchResult> {
		const base = String(baseDN);
		const scope = options.scope ?? 'sub';
		const filterText =
			typeof options.filter === 'string' ? options.filter : (options.filter?.toString() ?? '');
		const record = (outcome: string, count?: number) =>
			remember({ op: 'search', base, scope, filter: filterText, outcome, count });
		try {
			await this.operation('SearchRequest');
		} catch (error) {
			record(outcomeOf(error));
			throw error;
		}
		// ldapts parses the filter on the client, before anything is sent: a bad one throws its plain Error.
		const filter =
			typeof options.filter === 'string' && options.filter
				? FilterParser.parseString(options.filter)
				: typeof options.filter === 'object'
					? options.filter
					: FilterParser.parseString('(objectClass=*)');
		if (!this.boundAs) {
			record('50');
			throw new InsufficientAccessError('anonymous search is not allowed on this directory');
		}
		const baseEntry = findEntry(base);
		if (!baseEntry) {
			record('32');
			throw new NoSuchObjectError();
		}
		const found = ENTRIES.filter(
			(entry) => inScope(entry.dn, baseEntry.dn, scope) && filterMatches(filter, entry)
		);
		if (options.sizeLimit && found.length > options.sizeLimit) {
			record('4', found.length);
			throw new SizeLimitExceededError();
		}
		record('ok', found.length);
		return {
			searchEntries: found.map((entry) => toLdaptsEntry(entry, options)),
			searchReferences: []
		};
	}

	async unbind(): Promise<void> {
		// ldapts: unbinding a client that never connected does nothing.
		if (!this.connected) return;
		this.connected = false;
		this.boundAs = null;
		this.tls = this.settings.url.toLowerCase().startsWith('ldaps:');
		remember({ op: 'unbind', outcome: 'ok' });
	}

	/** What every operation goes through first: the connection (made on first use) and the scenario's delay. */
	private async operation(request: 'BindRequest' | 'SearchRequest' | 'ExtendedRequest') {
		if (scenario === 'unreachable') throw connectionRefused(this.settings.url);
		if (!this.connected) this.connected = true;
		if (scenario === 'slow') {
			// Past the domain's timeout, ldapts gives up on the operation with this very message.
			if (slowMs >= this.timeoutMs) {
				await sleep(this.timeoutMs);
				throw new Error(`${request}: Operation timed out`);
			}
			await sleep(slowMs);
		}
	}
}

/** Node's socket error for a refused connection, as ldapts passes it on. */
function connectionRefused(url: string) {
	const parsed = new URL(url);
	const port = Number(parsed.port || (parsed.protocol === 'ldaps:' ? 636 : 389));
	// The host resolves to a documentation address (RFC 5737): it says "nothing listens there".
	const address = '192.0.2.10';
	return Object.assign(new Error(`connect ECONNREFUSED ${address}:${port}`), {
		errno: -111,
		code: 'ECONNREFUSED',
		syscall: 'connect',
		address,
		port
	});
}

function outcomeOf(error: unknown) {
	const e = error as { code?: unknown; message?: unknown };
	if (typeof e.code === 'string' || typeof e.code === 'number') return String(e.code);
	return typeof e.message === 'string' ? e.message : 'error';
}

function remember(operation: MockLdapOperation) {
	operations.push(operation);
	if (operations.length > MAX_REMEMBERED_OPERATIONS) operations.shift();
}

/** Lower case, no spaces around `,` and `=`: enough for the DNs of this tree. */
function normaliseDn(dn: string) {
	return dn
		.split(',')
		.map((rdn) => rdn.trim().replace(/\s*=\s*/, '='))
		.join(',')
		.toLowerCase();
}

function findEntry(dn: string) {
	const wanted = normaliseDn(dn);
	return ENTRIES.find((entry) => normaliseDn(entry.dn) === wanted);
}

function inScope(dn: string, base: string, scope: NonNullable<SearchOptions['scope']>) {
	const entry = normaliseDn(dn);
	const root = normaliseDn(base);
	const below = entry.endsWith(`,${root}`);
	switch (scope) {
		case 'base':
			return entry === root;
		case 'one':
			return below && !entry.slice(0, -root.length - 1).includes(',');
		case 'children':
		case 'subordinates':
			return below;
		default:
			return entry === root || below;
	}
}

/**
 * ldapts' filter classes compare one value per attribute; a server matches an attribute when any of its values
 * does. So And/Or/Not are walked here and each leaf (equality, substring, presence, >=, <=, ~=) is asked by
 * ldapts for each value in turn.
 */
function filterMatches(filter: Filter, entry: MockEntry): boolean {
	if (filter instanceof AndFilter) return filter.filters.every((f) => filterMatches(f, entry));
	if (filter instanceof OrFilter) return filter.filters.some((f) => filterMatches(f, entry));
	if (filter instanceof NotFilter) return !filterMatches(filter.filter, entry);
	const attribute = (filter as { attribute?: unknown }).attribute;
	if (typeof attribute !== 'string') return filter.matches({});
	const values = valuesOf(entry, attribute);
	return values.some((value) => filter.matches({ [attribute]: value }));
}

/** The values of an attribute, whatever the letter case of its name (user and operational alike). */
function valuesOf(entry: MockEntry, attribute: string) {
	const wanted = attribute.toLowerCase();
	for (const source of [entry.attributes, entry.operational])
		for (const [name, values] of Object.entries(source))
			if (name.toLowerCase() === wanted) return values;
	return [];
}

/**
 * The entry as ldapts' SearchEntry.toObject() hands it over: the requested attributes (`*` all user ones, `+` all
 * operational ones, `1.1` none), one value as a string and several as an array, explicit buffer attributes as
 * Buffers, and every requested name the entry lacks (even `*`) as an empty array.
 */
function toLdaptsEntry(entry: MockEntry, options: SearchOptions): Entry {
	const requested = options.attributes ?? [];
	const asked = new Set(requested.map((a) => a.toLowerCase()));
	const all = requested.length === 0 || asked.has('*');
	const noAttributes = asked.has('1.1') && requested.length === 1;
	const result: Entry = { dn: entry.dn };
	const returned = new Set<string>();
	if (!noAttributes) {
		const pick = (source: Record<string, string[]>, everything: boolean) => {
			for (const [name, values] of Object.entries(source)) {
				if (!everything && !asked.has(name.toLowerCase())) continue;
				returned.add(name.toLowerCase());
				const buffers = options.explicitBufferAttributes?.includes(name);
				const out = options.returnAttributeValues === false ? [] : values;
				if (buffers) {
					const bytes = out.map((v) => Buffer.from(v, 'utf8'));
					result[name] = bytes.length === 1 ? bytes[0] : bytes;
				} else result[name] = out.length === 1 ? out[0] : out;
			}
		};
		pick(entry.attributes, all);
		pick(entry.operational, asked.has('+'));
	}
	for (const name of requested)
		if (result[name] === undefined && !returned.has(name.toLowerCase())) result[name] = [];
	return result;
}

export interface MockLdapOperation {
	op: 'bind' | 'search' | 'starttls' | 'unbind';
	/** Bind DN (never the password). */
	dn?: string;
	base?: string;
	scope?: string;
	/** The filter as sent (after ldap.ts escaped the username into it). */
	filter?: string;
	/** 'ok', 'anonymous', an LDAP result code ('49', '32' ...) or a socket code ('ECONNREFUSED'). */
	outcome: string;
	/** Entries matched (searches). */
	count?: number;
}
