/**
 * The process's database: opened once at start-up (hooks.server.ts `init`), then read with db().
 * Tests install their own with useDatabase().
 */
import type { Database, Db } from './open.js';

let current: Database | undefined;

export function useDatabase(database: Database | undefined) {
	current = database;
}

export function currentDatabase(): Database {
	if (!current) throw new Error('the database is not open yet');
	return current;
}

export function db(): Db {
	return currentDatabase().db;
}

export * as tables from './schema/index.js';
export type { Db, Database } from './open.js';
