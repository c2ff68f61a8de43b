/**
 * LDAP domains through ldapts: connect (ldap:// or ldaps://, optionally StartTLS, trusting an extra CA), bind
 * as the service account (or search anonymously), find the user under the base DN with the domain's filter
 * (`{username}` escaped per RFC 4515), then bind as the entry found with the user's password. Every client
 * is unbound in `finally`: a client whose bind failed otherwise keeps the process alive.
 *
 * Attributes are read with the service account before the user's bind: directories commonly let users read
 * little of their own entry. Password and binary attributes are never returned.
 */
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import { Client, ResultCodeError, type Entry } from 'ldapts';
import { diagnoseLdapError, ldapDiagnosis } from './ldap-diagnose.js';
import {
	DirectoryError,
	type Directory,
	type DirectoryUser,
	type LdapDiagnosis,
	type LdapSettings
} from './types.js';

/** Longest username passed to the directory; longer ones are refused before any network traffic. */
const MAX_USERNAME = 256;
/** Attributes that identify an entry for good, in the order they are looked for. */
const STABLE_ID_ATTRIBUTES = ['entryUUID', 'objectGUID', 'nsUniqueId', 'ipaUniqueID', 'GUID'];
/** Binary-valued attributes ldapts must hand over as buffers. */
const BINARY_ATTRIBUTES = ['objectGUID', 'objectSid', 'jpegPhoto', 'thumbnailPhoto'];
/** Never shown: secrets, hashes and binary values. */
const HIDDEN_ATTRIBUTE =
	/pass|pwd|secret|^unicodePwd$|^jpegPhoto$|^thumbnailPhoto$|^photo$|certificate|;binary$|^objectSid$|^objectGUID$|^krb|^sambaNT|^sambaLM/i;

/** RFC 4515 escaping of a value inside a filter: * ( ) \ and NUL become \2a \28 \29 \5c \00. */
export function escapeFilterValue(value: string): string {
	return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The domain's filter with every `{username}` replaced by the escaped username. */
export function buildUserFilter(template: string, username: string): string {
	return template.replaceAll('{username}', escapeFilterValue(username));
}

export function createLdapDirectory(settings: LdapSettings): Directory {
	return {
		async authenticate(username, password) {
			const typed = username.trim();
			// An empty password would make a "simple bind" anonymous, which most servers accept (RFC 4513 5.1.2).
			if (!typed || !password || typed.length > MAX_USERNAME || password.length > 1024) return null;
			return withClient(settings, async (client) => {
				await bindService(client, settings);
				const entry = await findUser(client, settings, typed);
				if (!entry) return null;
				try {
					await client.bind(entry.dn, password);
				} catch (error) {
					if (error instanceof ResultCodeError && error.code === 49) return null;
					throw toDirectoryError(error, 'bind');
				}
				return toDirectoryUser(entry, typed, settings.emailAttribute);
			});
		},
		async lookup(username) {
			const typed = username.trim();
			if (!typed || typed.length > MAX_USERNAME) return null;
			return withClient(settings, async (client) => {
				await bindService(client, settings);
				const entry = await findUser(client, settings, typed);
				return entry ? toDirectoryUser(entry, typed, settings.emailAttribute) : null;
			});
		}
	};
}

/**
 * "Test connection": connect, (StartTLS,) bind with the service account, check the base DN, look the user up.
 * Returns the attributes found and whether the e-mail attribute holds a value, or what failed and why.
 */
export async function testLdapConnection(
	settings: LdapSettings,
	username: string
): Promise<LdapTestResult> {
	const started = Date.now();
	const steps: LdapTestStep[] = [];
	const typed = username.trim();
	let client: LdapClient | undefined;
	const step = async <T>(id: LdapTestStep['id'], label: string, run: () => Promise<T>) => {
		const at = Date.now();
		try {
			const value = await run();
			steps.push({ id, label, ok: true, ms: Date.now() - at });
			return value;
		} catch (error) {
			steps.push({ id, label, ok: false, ms: Date.now() - at });
			throw error;
		}
	};
	try {
		client = newClient(settings);
		const connected = client;
		if (settings.startTls) await step('starttls', 'StartTLS', () => startTls(connected, settings));
		await step(
			'bind',
			settings.bindDn ? `Bind as ${settings.bindDn}` : 'Anonymous search (no bind DN)',
			() => bindService(connected, settings)
		);
		await step('base', `Read the base DN ${settings.baseDn}`, async () => {
			try {
				await connected.search(settings.baseDn, {
					scope: 'base',
					filter: '(objectClass=*)',
					attributes: ['1.1']
				});
			} catch (error) {
				throw toDirectoryError(error, 'search');
			}
		});
		const filter = buildUserFilter(settings.userFilter, typed);
		const entry = await step('user', `Find ${filter}`, async () => {
			const found = await searchUsers(connected, settings, typed);
			if (found.length === 0)
				throw new DirectoryError(
					ldapDiagnosis('user-not-found', null, { filter, baseDn: settings.baseDn })
				);
			if (found.length > 1)
				throw new DirectoryError(
					ldapDiagnosis('user-ambiguous', null, { filter, baseDn: settings.baseDn })
				);
			return found[0];
		});
		const user = toDirectoryUser(entry, typed, settings.emailAttribute);
		return {
			ok: true,
			steps,
			dn: entry.dn,
			attributes: user.attributes,
			emailAttribute: settings.emailAttribute,
			email: user.email,
			emailPresent: user.email !== null,
			durationMs: Date.now() - started
		};
	} catch (error) {
		const diagnosis =
			error instanceof DirectoryError ? error.diagnosis : diagnoseLdapError(error, 'connect');
		return { ok: false, steps, diagnosis, durationMs: Date.now() - started };
	} finally {
		await client?.unbind().catch(() => {});
	}
}

function tlsOptions(settings: LdapSettings): ConnectionOptions {
	// The extra CA is trusted in addition to the system's roots (an internal CA), never instead of checking.
	return settings.caPem?.trim() ? { ca: [...rootCertificates, settings.caPem] } : {};
}

/** The part of ldapts' Client this module uses: all a stand-in directory (mock mode, tests) has to answer. */
export type LdapClient = Pick<Client, 'bind' | 'startTLS' | 'search' | 'unbind'>;

/** A client for these settings, or undefined for the real ldapts Client. */
export type LdapClientFactory = (settings: LdapSettings) => LdapClient | undefined;

let clientFactory: LdapClientFactory | null = null;

/**
 * Lets mock mode (`npm run dev:mock`, src/mocks/ldap.ts) and tests answer for some LDAP URLs in memory, so every
 * screen works without an LDAP server while everything above the client (binds, escaped filters, attribute
 * handling, diagnoses) stays this module's real code. Unset (null), and in production, every client is ldapts'.
 */
export function useLdapClientFactory(factory: LdapClientFactory | null) {
	clientFactory = factory;
}

function newClient(settings: LdapSettings): LdapClient {
	const standIn = clientFactory?.(settings);
	if (standIn) return standIn;
	const ms = settings.timeoutSeconds * 1000;
	// ldapts connects with TLS whenever tlsOptions has a value, even for ldap:// (then StartTLS would fail on a
	// socket already wrapped): give them only for ldaps://; StartTLS gets its own.
	const ldaps = settings.url.toLowerCase().startsWith('ldaps:');
	return new Client({
		url: settings.url,
		timeout: ms,
		connectTimeout: ms,
		...(ldaps ? { tlsOptions: { ...tlsOptions(settings) } } : {}),
		strictDN: false
	});
}

async function withClient<T>(settings: LdapSettings, run: (client: LdapClient) => Promise<T>) {
	const client = newClient(settings);
	try {
		if (settings.startTls) await startTls(client, settings);
		return await run(client);
	} catch (error) {
		throw error instanceof DirectoryError ? error : toDirectoryError(error, 'connect');
	} finally {
		await client.unbind().catch(() => {});
	}
}

async function startTls(client: LdapClient, settings: LdapSettings) {
	try {
		await client.startTLS(tlsOptions(settings));
	} catch (error) {
		throw toDirectoryError(error, 'tls');
	}
}

async function bindService(client: LdapClient, settings: LdapSettings) {
	if (!settings.bindDn) return;
	try {
		await client.bind(settings.bindDn, settings.bindPassword ?? '');
	} catch (error) {
		throw toDirectoryError(error, 'bind');
	}
}

async function searchUsers(client: LdapClient, settings: LdapSettings, username: string) {
	try {
		const { searchEntries } = await client.search(settings.baseDn, {
			scope: 'sub',
			filter: buildUserFilter(settings.userFilter, username),
			attributes: ['*', ...STABLE_ID_ATTRIBUTES],
			explicitBufferAttributes: BINARY_ATTRIBUTES,
			sizeLimit: 2
		});
		return searchEntries;
	} catch (error) {
		// More than two entries: as ambiguous as two.
		if (error instanceof ResultCodeError && error.code === 4) return [{ dn: '' }, { dn: '' }];
		throw toDirectoryError(error, 'search');
	}
}

/** The single entry the filter matches, or null (none, or several: never guess which person it is). */
async function findUser(client: LdapClient, settings: LdapSettings, username: string) {
	const entries = await searchUsers(client, settings, username);
	return entries.length === 1 ? entries[0] : null;
}

function toDirectoryError(error: unknown, phase: LdapDiagnosis['phase']) {
	if (error instanceof DirectoryError) return error;
	return new DirectoryError(diagnoseLdapError(error, phase), { cause: error });
}

function toDirectoryUser(entry: Entry, username: string, emailAttribute: string): DirectoryUser {
	const attributes: Record<string, string[]> = {};
	let stableId: string | null = null;
	for (const [name, raw] of Object.entries(entry)) {
		if (name === 'dn') continue;
		const values = (Array.isArray(raw) ? raw : [raw]) as (string | Buffer)[];
		if (!stableId && STABLE_ID_ATTRIBUTES.some((a) => a.toLowerCase() === name.toLowerCase())) {
			const first = values[0];
			if (first !== undefined && first.length > 0)
				stableId = Buffer.isBuffer(first) ? first.toString('hex') : first.toLowerCase();
		}
		if (HIDDEN_ATTRIBUTE.test(name)) continue;
		const strings = values.filter((v): v is string => typeof v === 'string');
		if (strings.length) attributes[name] = strings;
	}
	const pick = (attribute: string) =>
		Object.entries(attributes).find(
			([name]) => name.toLowerCase() === attribute.toLowerCase()
		)?.[1];
	const email =
		pick(emailAttribute)
			?.find((v) => v.trim() !== '')
			?.trim() ?? null;
	const displayName = (pick('displayName') ?? pick('cn'))?.[0] ?? username;
	return {
		personKey: stableId ? `uuid:${stableId}` : `dn:${entry.dn.toLowerCase()}`,
		username,
		displayName,
		email,
		localUserId: null,
		dn: entry.dn,
		attributes
	};
}

export interface LdapTestStep {
	id: 'starttls' | 'bind' | 'base' | 'user';
	label: string;
	ok: boolean;
	ms: number;
}

export type LdapTestResult =
	| {
			ok: true;
			steps: LdapTestStep[];
			dn: string;
			/** Readable attributes of the entry (no passwords, no binary values). */
			attributes: Record<string, string[]>;
			emailAttribute: string;
			email: string | null;
			emailPresent: boolean;
			durationMs: number;
	  }
	| { ok: false; steps: LdapTestStep[]; diagnosis: LdapDiagnosis; durationMs: number };
