/**
 * Certificates for the TLS test peers, made with the `openssl` CLI into a temporary folder the first time a
 * test process asks (about 0.1 s with EC P-256 keys), then reused by that process.
 *
 * Why generated rather than committed: no private key lives in the repository (secret scanners stay quiet, and
 * nobody mistakes a test key for a real one), and nothing expires in git one day and breaks the suite. The
 * valid certificates last 2 days, which covers any test run; the expired one is issued with fixed dates in
 * 2020 (`openssl ca -startdate/-enddate`; OpenSSL 3.0 has no `-not_after` for `x509`), so it is expired for
 * sure, with no clock race. `openssl` is part of Debian's base system; when it is missing the suite says so.
 *
 * - `ca`: a test CA (the client trusts it through the server's "CA certificate" field)
 * - `server`: localhost + 127.0.0.1, signed by the CA
 * - `expired`: same names, expired in 2020
 * - `otherHost`: valid, signed by the CA, but for mail.other.example only
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface KeyPair {
	key: string;
	cert: string;
}

export interface TestCertificates {
	ca: string;
	server: KeyPair;
	expired: KeyPair;
	otherHost: KeyPair;
}

let made: TestCertificates | undefined;

export function getTestCertificates(): TestCertificates {
	made ??= makeCertificates();
	return made;
}

function makeCertificates(): TestCertificates {
	const dir = mkdtempSync(path.join(tmpdir(), 'postern-test-certs-'));
	const file = (name: string) => path.join(dir, name);
	const openssl = (...args: string[]) => {
		try {
			execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
		} catch (error) {
			const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
			if (e.code === 'ENOENT')
				throw new Error(
					'The TLS tests need the openssl command (Debian: apt-get install openssl).',
					{ cause: error }
				);
			throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`, {
				cause: error
			});
		}
	};
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
	try {
		openssl(
			'req',
			'-x509',
			...ec,
			'-keyout',
			'ca.key',
			'-out',
			'ca.pem',
			'-days',
			'2',
			'-subj',
			'/CN=Postern Test CA'
		);

		const request = (name: string, cn: string) =>
			openssl(
				'req',
				'-new',
				...ec,
				'-keyout',
				`${name}.key`,
				'-out',
				`${name}.csr`,
				'-subj',
				`/CN=${cn}`
			);
		const extensions = (name: string, san: string) =>
			writeFileSync(
				file(`${name}.ext`),
				`basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`
			);
		const sign = (name: string) =>
			openssl(
				'x509',
				'-req',
				'-in',
				`${name}.csr`,
				'-CA',
				'ca.pem',
				'-CAkey',
				'ca.key',
				'-CAcreateserial',
				'-out',
				`${name}.pem`,
				'-days',
				'2',
				'-extfile',
				`${name}.ext`
			);

		request('server', 'localhost');
		extensions('server', 'DNS:localhost,IP:127.0.0.1');
		sign('server');

		request('other', 'mail.other.example');
		extensions('other', 'DNS:mail.other.example');
		sign('other');

		request('expired', 'localhost');
		extensions('expired', 'DNS:localhost,IP:127.0.0.1');
		writeFileSync(file('index.txt'), '');
		writeFileSync(file('serial'), '1000\n');
		writeFileSync(
			file('ca.cnf'),
			[
				'[ca]',
				'default_ca = test',
				'[test]',
				`dir = ${dir}`,
				`database = ${file('index.txt')}`,
				`new_certs_dir = ${dir}`,
				`serial = ${file('serial')}`,
				'default_md = sha256',
				'policy = any',
				'unique_subject = no',
				'[any]',
				'commonName = supplied',
				''
			].join('\n')
		);
		openssl(
			'ca',
			'-batch',
			'-notext',
			'-config',
			'ca.cnf',
			'-cert',
			'ca.pem',
			'-keyfile',
			'ca.key',
			'-in',
			'expired.csr',
			'-out',
			'expired.pem',
			'-startdate',
			'20200101000000Z',
			'-enddate',
			'20200102000000Z',
			'-extfile',
			'expired.ext'
		);

		const pair = (name: string) => ({
			key: readFileSync(file(`${name}.key`), 'utf8'),
			cert: readFileSync(file(`${name}.pem`), 'utf8')
		});
		return {
			ca: readFileSync(file('ca.pem'), 'utf8'),
			server: pair('server'),
			expired: pair('expired'),
			otherHost: pair('other')
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
