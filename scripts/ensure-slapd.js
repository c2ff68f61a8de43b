// Makes sure the LDAP tests have OpenLDAP, as ensure-chromium.js does for the browser: they start a
// throwaway slapd (src/lib/server/testing/slapd.ts), check its configuration with slaptest, and make a
// certificate with openssl for ldaps://.
//   1. Everything there: nothing to do.
//   2. Otherwise, as root on Debian: `apt-get install` of the missing packages (DEBIAN_FRONTEND=noninteractive,
//      so slapd's configuration questions take their defaults instead of waiting for a terminal).
//   3. Otherwise: a message naming the packages to install.
// Run directly (`node scripts/ensure-slapd.js`) it installs or explains; scripts/test.js imports it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** What the tests run, and the Debian package each comes from. */
export const LDAP_TOOLS = [
	{ path: '/usr/sbin/slapd', pkg: 'slapd' },
	{ path: '/usr/sbin/slaptest', pkg: 'slapd' },
	{ path: '/usr/bin/ldapsearch', pkg: 'ldap-utils' },
	{ path: '/usr/bin/openssl', pkg: 'openssl' }
];
const ALWAYS = ['slapd', 'ldap-utils'];

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
function runCommand(command, args, env = process.env) {
	console.log(`[slapd] running: ${command} ${args.join(' ')}`);
	return spawnSync(command, args, { stdio: 'inherit', env }).status === 0;
}

/**
 * @typedef {object} SlapdSeams
 * @property {(path: string) => boolean} [exists]
 * @property {(command: string, args: string[], env?: NodeJS.ProcessEnv) => boolean} [run]
 * @property {boolean} [isRoot]
 * @property {boolean} [isDebian]
 * @property {(message: string) => void} [say]
 */

/**
 * Returns { ok: true } when the tools are there (or were installed), else { ok: false, message }.
 * The options are seams for the test: the file system, the command runner, who and where we are.
 * @param {SlapdSeams} [seams]
 * @returns {{ ok: boolean, message?: string }}
 */
export function ensureSlapd({
	exists = existsSync,
	run = runCommand,
	isRoot = process.getuid?.() === 0,
	isDebian = existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get'),
	say = (message) => console.log(`[slapd] ${message}`)
} = {}) {
	const missing = () => LDAP_TOOLS.filter((tool) => !exists(tool.path));
	const first = missing();
	if (first.length === 0) return { ok: true };
	// slapd and ldap-utils always (they belong together); openssl only when it is the one missing
	const packages = [...new Set([...ALWAYS, ...first.map((tool) => tool.pkg)])];
	const install = ['install', '-y', '--no-install-recommends', ...packages];
	const advice =
		`Install OpenLDAP for the LDAP tests: apt-get install ${packages.join(' ')} (as root, on Debian or ` +
		'Ubuntu; elsewhere the openldap server and client packages).';
	const lacking = first.map((tool) => tool.path).join(', ');

	if (!(isRoot && isDebian)) {
		const why = isDebian ? 'not running as root' : 'not a Debian system';
		return { ok: false, message: `No ${lacking} (${why}, so not using apt-get). ${advice}` };
	}
	say(`no ${lacking}; installing ${packages.join(' ')} with apt-get (running as root)`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const installed =
		run('apt-get', install, env) ||
		(run('apt-get', ['update'], env) && run('apt-get', install, env));
	const still = missing();
	if (installed && still.length === 0) {
		say(`installed ${packages.join(' ')}`);
		return { ok: true };
	}
	return {
		ok: false,
		message: `apt-get could not install ${packages.join(' ')} (still missing: ${still.map((t) => t.path).join(', ')}). ${advice}`
	};
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const result = ensureSlapd();
	if (!result.ok) {
		console.error(`[slapd] ${result.message}`);
		process.exit(1);
	}
	console.log('[slapd] OpenLDAP is ready for the tests');
}
