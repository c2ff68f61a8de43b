// Makes sure Playwright has a Chromium to drive, and says which one and how it got there.
//   1. CHROMIUM_PATH, when set, must point at a browser: that one is used.
//   2. Debian's chromium (/usr/bin/chromium) when installed: used as is (the browser this project is tested with).
//   3. Otherwise, as root on Debian: `apt-get install chromium`.
//   4. Otherwise: `playwright install chromium` (Playwright's own build, into its user cache).
// Run directly (`node scripts/ensure-chromium.js`) it prints the path it settled on; scripts/test.js imports it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function say(message) {
	console.log(`[chromium] ${message}`);
}

function run(command, args, env = process.env) {
	say(`running: ${command} ${args.join(' ')}`);
	const result = spawnSync(command, args, { stdio: 'inherit', env });
	return result.status === 0;
}

function systemChromium() {
	return SYSTEM_CHROMIUM.find((candidate) => existsSync(candidate));
}

/**
 * Returns the browser to hand to Playwright as CHROMIUM_PATH, or undefined when Playwright's own download is
 * to be used. Throws when no browser could be found or installed.
 */
export function ensureChromium() {
	const given = process.env.CHROMIUM_PATH;
	if (given) {
		if (!existsSync(given))
			throw new Error(`CHROMIUM_PATH is ${given}, but there is no file there.`);
		say(`using CHROMIUM_PATH=${given}`);
		return given;
	}
	const found = systemChromium();
	if (found) {
		say(`using ${found}`);
		return found;
	}

	const isRoot = process.getuid?.() === 0;
	const isDebian = existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
	if (isRoot && isDebian) {
		say("no Chromium found; installing Debian's chromium package with apt-get (running as root)");
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		const installed =
			run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], env) ||
			(run('apt-get', ['update'], env) &&
				run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], env));
		const now = systemChromium();
		if (installed && now) {
			say(`installed ${now}`);
			return now;
		}
		say('apt-get could not install chromium; falling back to Playwright’s own browser');
	} else {
		const why = isDebian ? 'not running as root' : 'not a Debian system';
		say(
			`no Chromium found (looked at CHROMIUM_PATH, ${SYSTEM_CHROMIUM.join(', ')}); ${why}, so not using apt-get`
		);
	}
	say('installing Playwright’s own Chromium (npx playwright install chromium) into its user cache');
	const cli = path.join(root, 'node_modules', '@playwright', 'test', 'cli.js');
	if (!run(process.execPath, [cli, 'install', 'chromium']))
		throw new Error(
			'Could not get a Chromium: install Debian’s chromium (apt-get install chromium) or set CHROMIUM_PATH.'
		);
	say('using Playwright’s Chromium');
	return undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	try {
		const chosen = ensureChromium();
		console.log(chosen ?? "(Playwright's own Chromium)");
	} catch (error) {
		console.error(`[chromium] ${error instanceof Error ? error.message : error}`);
		process.exit(1);
	}
}
