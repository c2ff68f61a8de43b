/**
 * The generated migrations (drizzle/, made by `npm run db:generate`), embedded in the server bundle at build
 * time so the built app needs no path to the source tree. Same shape and hash as drizzle's own
 * readMigrationFiles(), so a database migrated by drizzle-kit is recognised too.
 */
import { createHash } from 'node:crypto';
import type { MigrationMeta } from 'drizzle-orm/migrator';
import journal from '../../../../drizzle/meta/_journal.json';

const files = import.meta.glob('../../../../drizzle/*.sql', {
	query: '?raw',
	import: 'default',
	eager: true
}) as Record<string, string>;

export function loadMigrations(): MigrationMeta[] {
	return journal.entries.map((entry) => {
		const key = Object.keys(files).find((file) => file.endsWith(`/${entry.tag}.sql`));
		if (!key) throw new Error(`migration ${entry.tag}.sql is missing from drizzle/`);
		const query = files[key];
		return {
			sql: query.split('--> statement-breakpoint'),
			bps: entry.breakpoints,
			folderMillis: entry.when,
			hash: createHash('sha256').update(query).digest('hex')
		};
	});
}
