/**
 * What the server does once before answering: load the secret key, open and migrate the database (taking the
 * data folder's lock when embedded), prove the key opens what was sealed with it before (a wrong key stops
 * start-up instead of producing garbage), and, while no account exists, print the first-run setup code.
 */
import { eq } from 'drizzle-orm';
import { dev } from '$app/env';
import { config } from './config.js';
import { currentDatabase, useDatabase, tables, type Database } from './db/index.js';
import { openDatabase } from './db/open.js';
import { loadSecretKey, openSecret, sealSecret, SecretKeyError } from './secrets.js';
import { log } from './log.js';
import { closeAllTransports } from './mail/transport.js';
import { startOutbox, stopOutbox } from './outbox/lifecycle.js';
import { isSetupDone } from './auth/admins.js';
import { eraseSetupCode, prepareSetupCode, setupCodeFile } from './auth/setup-code.js';
// Features register what uses an SMTP server when they load (mail/usages.ts): load them at start-up, so a
// server's delete is refused with the reason before any page has loaded them.
import './site/settings.js';
import './identity/otp-generators.js';
import './notify/profiles.js';
import { startNotifications, stopNotifications } from './notify/lifecycle.js';
import { startAlerts, stopAlerts } from './alerts/lifecycle.js';

const KEY_CHECK = 'secret_key_check';
const KEY_CHECK_VALUE = 'postern secret key check';

export async function startServer(): Promise<Database> {
	// `dev` is a build-time constant: in production builds this branch and the mock code it imports are removed.
	if (dev && config.mock) {
		const { startMockMode } = await import('./dev/mock-mode.js');
		const database = await startMockMode();
		await startOutbox(database, { retentionDays: config.mailLogRetentionDays });
		await startNotifications();
		await startAlerts({ sweep: config.alertSweep });
		return database;
	}
	const keySource = loadSecretKey({ fromEnv: config.secretKey, dataDir: config.dataDir });
	const database = await openDatabase(
		config.databaseUrl
			? { kind: 'postgres', url: config.databaseUrl }
			: { kind: 'pglite', dataDir: config.dataDir }
	);
	useDatabase(database);
	await verifySecretKey(
		keySource === 'env' ? 'POSTERN_SECRET_KEY' : `${config.dataDir}/secret.key`
	);
	await prepareFirstRun(config.dataDir);
	await startOutbox(database, { retentionDays: config.mailLogRetentionDays });
	await startNotifications();
	await startAlerts({ sweep: config.alertSweep });
	log.info(
		{
			event: 'startup',
			database: database.kind,
			dataDir: database.kind === 'pglite' ? config.dataDir : undefined,
			secretKey: keySource
		},
		'Postern is ready'
	);
	return database;
}

export async function verifySecretKey(source: string) {
	const { db } = currentDatabase();
	const [row] = await db.select().from(tables.appMeta).where(eq(tables.appMeta.key, KEY_CHECK));
	if (!row) {
		await db
			.insert(tables.appMeta)
			.values({ key: KEY_CHECK, value: sealSecret(KEY_CHECK_VALUE) })
			.onConflictDoNothing();
		return;
	}
	let opened: string | undefined;
	try {
		opened = openSecret(row.value);
	} catch {
		opened = undefined;
	}
	if (opened !== KEY_CHECK_VALUE)
		throw new SecretKeyError(
			`The secret key (${source}) is not the key this database's secrets were sealed with. ` +
				"Start with the original POSTERN_SECRET_KEY (or the data folder's secret.key); stored secrets cannot be opened without it."
		);
}

/**
 * While no account exists, /setup asks for the setup code: print it (a banner on stdout, where the log goes)
 * and keep it in the data folder. Once the accounts exist, erase any leftover (another instance completed
 * setup, or this one stopped between creating the accounts and erasing the code).
 */
export async function prepareFirstRun(
	dataDir: string,
	print: (text: string) => void = (text) => console.log(text)
) {
	if (await isSetupDone()) return eraseSetupCode(dataDir);
	await prepareSetupCode(dataDir, print);
	log.info(
		{ event: 'setup_code', file: setupCodeFile(dataDir) },
		'First-run setup asks for the setup code printed above'
	);
}

export async function stopServer() {
	await stopAlerts();
	await stopNotifications();
	await stopOutbox().catch(() => {});
	await closeAllTransports().catch(() => {});
	try {
		await currentDatabase().close();
	} catch {
		// not open, or already closed
	}
	useDatabase(undefined);
}
