/**
 * Opens the database Postern runs on and brings its schema up to date:
 * PGlite (embedded PostgreSQL) in a folder or in memory by default, PostgreSQL when a URL is given.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema/index.js';
import { loadMigrations } from './migrations.js';
import { lockDataFolder } from './folder-lock.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * PostgreSQL's default 128 MB of shared buffers live inside PGlite's WASM heap, which never shrinks: an idle
 * embedded server held about 515 MB. Postern's data is small and its files stay in the OS page cache (PGlite
 * reads them through Node's fs), so 16 MB of buffers serve it; the idle server then holds about 300 MB
 * (bench/process.bench.ts measures it).
 */
const EMBEDDED_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

export interface Database {
	db: Db;
	kind: 'pglite' | 'postgres';
	/** The PGlite instance, when embedded (pg-boss and test cloning use it). */
	pglite?: PGlite;
	/** The pool, when on PostgreSQL. */
	pool?: pg.Pool;
	close(): Promise<void>;
}

export type DatabaseTarget =
	| { kind: 'postgres'; url: string }
	| { kind: 'pglite'; dataDir: string }
	| { kind: 'memory'; from?: PGlite };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
	let database: Database;
	if (target.kind === 'postgres') {
		const pool = new pg.Pool({ connectionString: target.url, max: 10 });
		database = {
			db: drizzlePg(pool, { schema }) as unknown as Db,
			kind: 'postgres',
			pool,
			close: () => pool.end()
		};
	} else {
		let pglite: PGlite;
		let release = () => {};
		if (target.kind === 'pglite') {
			// PGlite is single-process: a second server on this folder would split the data (see folder-lock.ts).
			release = lockDataFolder(target.dataDir).release;
			try {
				// PGlite does not create parent folders itself.
				const dir = path.join(target.dataDir, 'pglite');
				mkdirSync(dir, { recursive: true, mode: 0o700 });
				pglite = await PGlite.create(dir, { startParams: EMBEDDED_START_PARAMS });
			} catch (error) {
				release();
				throw error;
			}
		} else {
			pglite = target.from ? ((await target.from.clone()) as PGlite) : await PGlite.create();
		}
		database = {
			db: drizzlePglite(pglite, { schema }) as unknown as Db,
			kind: 'pglite',
			pglite,
			close: async () => {
				try {
					await pglite.close();
				} finally {
					release();
				}
			}
		};
	}
	try {
		await migrate(database);
	} catch (error) {
		await database.close().catch(() => {});
		throw error;
	}
	return database;
}

/**
 * Applies the embedded migrations. On PostgreSQL an advisory lock, held on its own connection, keeps two
 * instances starting together from migrating at once; PGlite has a single process by construction.
 */
async function migrate(database: Database) {
	// drizzle's dialect.migrate is the routine drizzle-orm/*/migrator runs on migration files.
	const { dialect, session } = database.db as unknown as {
		dialect: MigrateDialect;
		session: unknown;
	};
	const run = () => dialect.migrate(loadMigrations(), session, {});
	if (!database.pool) return run();
	const client = await database.pool.connect();
	try {
		await client.query('select pg_advisory_lock(7150)');
		await run();
	} finally {
		await client.query('select pg_advisory_unlock(7150)').catch(() => {});
		client.release();
	}
}

interface MigrateDialect {
	migrate(migrations: unknown, session: unknown, config: object): Promise<void>;
}

export async function pingDatabase(db: Db, timeoutMs = 2000): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	try {
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
		});
		await Promise.race([db.execute(sql`select 1`), timeout]);
		return true;
	} catch {
		return false;
	} finally {
		clearTimeout(timer);
	}
}
