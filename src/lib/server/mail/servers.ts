/**
 * SMTP server records, the API the rest of Postern uses: list, read, create, update, delete, and the settings
 * a send or a configuration test runs with. Every change is audited (never a secret value).
 *
 * Secrets are write-only. They are sealed before they reach the database and only two functions give them
 * back opened: getServerSettings() for sending and resolveServerSettings() for testing a form; neither result
 * may go to a page. Pages get SmtpServerView, where a secret is only `hasPassword` / `hasClientSecret`.
 *
 * The work is done by one module per concern:
 * - server-reads.ts     the list (with what uses each server), one server, its settings for sending
 * - server-save.ts      create and update: unique names, sealed secrets, the last test kept or cleared
 * - server-delete.ts    delete, refused while anything uses the server
 * - server-secrets.ts   the reuse rule for a blank secret field, on save and when testing a form
 * - server-settings.ts  a stored row to transport settings (secrets opened)
 * - server-view.ts      what pages get: the view and the edit form's initial values
 * - server-columns.ts   a form to table columns, and where a secret goes
 * - server-results.ts   what those functions answer
 */
export { findServerUsages } from './usages.js';
export {
	anySmtpServer,
	getServerSettings,
	getSmtpServer,
	listSmtpServers,
	listSmtpServersPage,
	type SmtpServerListItem
} from './server-reads.js';
export { createSmtpServer, updateSmtpServer } from './server-save.js';
export { deleteSmtpServer } from './server-delete.js';
export { findChangedServerDestination, resolveServerSettings } from './server-secrets.js';
export { buildServerFormValues, classifySecretExpiry } from './server-view.js';
export type {
	DeleteServerResult,
	ResolveSettingsResult,
	SaveServerFailure,
	SaveServerResult
} from './server-results.js';
export type { AuditContext } from '../audit.js';
