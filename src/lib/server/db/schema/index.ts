/**
 * The database schema, one file per area. Add a file here and re-export it; then regenerate the migration
 * with `npm run db:generate`.
 */
export * from './accounts.js';
export * from './site.js';
export * from './mail.js';
export * from './identity.js';
export * from './outbox.js';
export * from './notify.js';
export * from './alerts.js';
