/**
 * A throwaway OpenLDAP server for tests (Vitest and Playwright's global setup alike: no test-runner imports).
 *
 * startSlapd() writes a slapd.conf into a temp folder (mdb backend; core, cosine, inetorgperson and nis schemas
 * from /etc/ldap/schema; modules from /usr/lib/ldap), starts `slapd -d 0` in the foreground on a free loopback
 * port (so the child's PID is slapd's own and stop() really stops it), waits until it answers, then loads a
 * service account and users with and without `mail` through ldapts. With `tls: true` it also makes a
 * self-signed certificate for 127.0.0.1 (openssl) and listens on ldaps:// as well, StartTLS included.
 *
 * Access rules are those of a real directory: passwords are readable by nobody, the service account reads
 * everything else, anonymous users read nothing (so a search without the bind DN finds nobody).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';

export const SLAPD_BINARY = '/usr/sbin/slapd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export interface SlapdUser {
	username: string;
	password: string;
	dn: string;
	displayName: string;
	mail: string | null;
}

export interface SlapdServer {
	/** ldap://127.0.0.1:PORT */
	url: string;
	/** ldaps://127.0.0.1:PORT (only with `tls: true`) */
	ldapsUrl: string | null;
	/** PEM of the self-signed server certificate (only with `tls: true`) */
	caPem: string | null;
	/** The service account that searches for users (read access, no password reads). */
	bindDn: string;
	bindPassword: string;
	baseDn: string;
	/** A filter that finds the seeded users by uid. */
	userFilter: string;
	/** The administrator (rootdn), for tests that change entries. */
	rootDn: string;
	rootPassword: string;
	users: SlapdUser[];
	/** Finds a seeded user by username. */
	user(username: string): SlapdUser;
	stop(): Promise<void>;
}

export interface SlapdOptions {
	/** Also serve ldaps:// and StartTLS with a self-signed certificate. */
	tls?: boolean;
	/** Extra users besides the default ones. */
	users?: Omit<SlapdUser, 'dn'>[];
	/** How long to wait for slapd to answer, in ms. */
	readyTimeoutMs?: number;
}

const BASE_DN = 'dc=postern,dc=test';
const ROOT_DN = `cn=admin,${BASE_DN}`;
const SERVICE_DN = `cn=reader,ou=services,${BASE_DN}`;
const PEOPLE_DN = `ou=people,${BASE_DN}`;

/** The default population: one user with `mail`, one without, and one whose uid holds filter characters. */
export const DEFAULT_SLAPD_USERS: Omit<SlapdUser, 'dn'>[] = [
	{
		username: 'alice',
		password: 'alice-ldap-password-1',
		displayName: 'Alice Archer',
		mail: 'alice@postern.test'
	},
	{
		username: 'bob',
		password: 'bob-ldap-password-22',
		displayName: 'Bob Nomail',
		mail: null
	},
	{
		username: 'carol(*)',
		password: 'carol-ldap-password-333',
		displayName: 'Carol Stars',
		mail: 'carol@postern.test'
	}
];

export function slapdAvailable(): boolean {
	return spawnSync(SLAPD_BINARY, ['-VV']).error === undefined;
}

export async function startSlapd(options: SlapdOptions = {}): Promise<SlapdServer> {
	const dir = mkdtempSync(path.join(tmpdir(), 'postern-slapd-'));
	try {
		return await startIn(dir, options);
	} catch (error) {
		rmSync(dir, { recursive: true, force: true });
		throw error;
	}
}

async function startIn(dir: string, options: SlapdOptions): Promise<SlapdServer> {
	const rootPassword = randomBytes(12).toString('base64url');
	const bindPassword = randomBytes(12).toString('base64url');
	const dataDir = path.join(dir, 'data');
	mkdirSync(dataDir, { mode: 0o700 });

	let caPem: string | null = null;
	if (options.tls) caPem = makeCertificate(dir);
	const conf = path.join(dir, 'slapd.conf');
	writeFileSync(conf, slapdConf(dir, dataDir, rootPassword, Boolean(options.tls)));
	const check = spawnSync('/usr/sbin/slaptest', ['-f', conf, '-u'], { encoding: 'utf8' });
	if (check.status !== 0)
		throw new Error(`slaptest refused the configuration: ${check.stderr || check.stdout}`);

	// A free port can be taken between the probe and slapd's bind: try a few.
	let started: Started | undefined;
	let lastError: unknown;
	for (let attempt = 0; attempt < 4 && !started; attempt++) {
		try {
			started = await launch(conf, Boolean(options.tls), options.readyTimeoutMs ?? 10_000);
		} catch (error) {
			lastError = error;
		}
	}
	if (!started) throw lastError;
	const { child, url, ldapsUrl } = started;
	// If the test process ends without stop() (a crash, a forgotten teardown), slapd must not outlive it.
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);

	const stop = async () => {
		process.off('exit', killOnExit);
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(timer);
		}
		rmSync(dir, { recursive: true, force: true });
	};

	try {
		const users = [...DEFAULT_SLAPD_USERS, ...(options.users ?? [])].map((u) => ({
			...u,
			dn: `uid=${escapeDnValue(u.username)},${PEOPLE_DN}`
		}));
		await seed(url, rootPassword, bindPassword, users);
		return {
			url,
			ldapsUrl,
			caPem,
			bindDn: SERVICE_DN,
			bindPassword,
			baseDn: BASE_DN,
			userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
			rootDn: ROOT_DN,
			rootPassword,
			users,
			user(username) {
				const found = users.find((u) => u.username === username);
				if (!found) throw new Error(`no seeded LDAP user ${username}`);
				return found;
			},
			stop
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

interface Started {
	child: ChildProcess;
	url: string;
	ldapsUrl: string | null;
}

async function launch(conf: string, tls: boolean, readyTimeoutMs: number): Promise<Started> {
	const port = await freePort();
	const ldapsPort = tls ? await freePort() : null;
	const url = `ldap://127.0.0.1:${port}`;
	const ldapsUrl = ldapsPort ? `ldaps://127.0.0.1:${ldapsPort}` : null;
	const listen = [`${url}/`, ...(ldapsUrl ? [`${ldapsUrl}/`] : [])].join(' ');
	const child = spawn(SLAPD_BINARY, ['-d', '0', '-f', conf, '-h', listen], {
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => {
		if (stderr.length < 8000) stderr += chunk.toString();
	});
	// A slapd left behind would keep the test process from exiting: never let it outlive us.
	child.unref();
	const exited = new Promise<never>((_, reject) => {
		child.once('exit', (code, signal) =>
			reject(new Error(`slapd exited (${signal ?? code}): ${stderr.trim() || 'no output'}`))
		);
		child.once('error', reject);
	});
	exited.catch(() => {});
	try {
		await Promise.race([waitUntilAnswering(url, readyTimeoutMs), exited]);
		return { child, url, ldapsUrl };
	} catch (error) {
		if (child.exitCode === null) child.kill('SIGKILL');
		throw error;
	}
}

async function waitUntilAnswering(url: string, timeoutMs: number) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const client = new Client({ url, connectTimeout: 500, timeout: 1000 });
		try {
			// An anonymous root DSE read: answers as soon as slapd listens.
			await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
			return;
		} catch (error) {
			if (Date.now() > deadline)
				throw new Error(`slapd did not answer on ${url}: ${error}`, { cause: error });
			await new Promise((resolve) => setTimeout(resolve, 25));
		} finally {
			await client.unbind().catch(() => {});
		}
	}
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

function slapdConf(dir: string, dataDir: string, rootPassword: string, tls: boolean) {
	const lines = [
		...['core', 'cosine', 'inetorgperson', 'nis'].map(
			(name) => `include ${path.join(SCHEMA_DIR, `${name}.schema`)}`
		),
		`pidfile ${path.join(dir, 'slapd.pid')}`,
		`argsfile ${path.join(dir, 'slapd.args')}`,
		`modulepath ${MODULE_DIR}`,
		'moduleload back_mdb',
		...(tls
			? [
					`TLSCertificateFile ${path.join(dir, 'cert.pem')}`,
					`TLSCertificateKeyFile ${path.join(dir, 'key.pem')}`
				]
			: []),
		'database mdb',
		'maxsize 16777216',
		`suffix "${BASE_DN}"`,
		`rootdn "${ROOT_DN}"`,
		`rootpw ${ssha(rootPassword)}`,
		`directory ${dataDir}`,
		'access to attrs=userPassword by self =w by anonymous auth by * none',
		`access to * by dn.exact="${SERVICE_DN}" read by self read by * none`
	];
	return lines.join('\n') + '\n';
}

function makeCertificate(dir: string): string {
	const cert = path.join(dir, 'cert.pem');
	const made = spawnSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-keyout',
			path.join(dir, 'key.pem'),
			'-out',
			cert,
			'-days',
			'2',
			'-subj',
			'/CN=localhost',
			'-addext',
			'subjectAltName=DNS:localhost,IP:127.0.0.1'
		],
		{ encoding: 'utf8' }
	);
	if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
	return readFileSync(cert, 'utf8');
}

/** {SSHA}: what directories store; slapd checks simple binds against it. */
function ssha(password: string) {
	const salt = randomBytes(8);
	const digest = createHash('sha1').update(password).update(salt).digest();
	return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** RFC 4514 escaping of an attribute value inside a DN. */
function escapeDnValue(value: string) {
	return value
		.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
		.replace(/^([ #])/, '\\$1')
		.replace(/ $/, '\\ ');
}

async function seed(url: string, rootPassword: string, bindPassword: string, users: SlapdUser[]) {
	const client = new Client({ url, timeout: 5000, connectTimeout: 2000 });
	try {
		await client.bind(ROOT_DN, rootPassword);
		await client.add(BASE_DN, {
			objectClass: ['top', 'dcObject', 'organization'],
			dc: 'postern',
			o: 'Postern tests'
		});
		for (const ou of ['people', 'services'])
			await client.add(`ou=${ou},${BASE_DN}`, { objectClass: 'organizationalUnit', ou });
		await client.add(SERVICE_DN, {
			objectClass: ['organizationalRole', 'simpleSecurityObject'],
			cn: 'reader',
			userPassword: ssha(bindPassword)
		});
		for (const user of users) {
			const [givenName, ...rest] = user.displayName.split(' ');
			await client.add(user.dn, {
				objectClass: ['inetOrgPerson', 'organizationalPerson', 'person', 'top'],
				uid: user.username,
				cn: user.displayName,
				sn: rest.join(' ') || givenName,
				givenName,
				displayName: user.displayName,
				userPassword: ssha(user.password),
				...(user.mail ? { mail: user.mail } : {})
			});
		}
	} finally {
		await client.unbind().catch(() => {});
	}
}
