/**
 * The periodic sweep (once a minute, on one instance at a time: lifecycle.ts): health checks of the servers
 * that are due, then every condition alert checked against the database, then the housekeeping (quiet events
 * closed, undelivered alerts retried). Each check fires what holds and resolves what no longer does.
 */
import { and, count, eq, inArray, isNull, lt } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import {
	BASIC_AUTH_RETIREMENT,
	signsInWithBasicToMicrosoft
} from '../mail/basic-auth-retirement.js';
import { countUnusedRecoveryCodes } from '../auth/recovery-codes.js';
import { formatTime } from '../mail/templates/time.js';
import { siteTimeZone } from '../site/settings.js';
import { log } from '../log.js';
import {
	closeQuietEvents,
	fireAlert,
	resolveAlert,
	resolveAllBut,
	retryUndelivered
} from './episodes.js';
import { checkDueServers } from './health.js';
import { getAlertTimings } from './rules.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Secret expiry steps: days left at or below which the level applies (expired is level 4). */
const EXPIRY_STEPS: [number, number][] = [
	[7, 3],
	[14, 2],
	[30, 1]
];

export interface SweepReport {
	checked: number;
}

export async function runAlertSweep(now = new Date()): Promise<SweepReport> {
	const checked = await checkDueServers(now);
	const steps: [string, () => Promise<unknown>][] = [
		['backlog', () => checkBacklog(now)],
		['secret expiry', () => checkSecretExpiry(now)],
		['basic auth on Microsoft', () => checkBasicAuthOnMicrosoft(now)],
		['recovery codes', () => checkRecoveryCodes(now)],
		['smtp switched off', () => checkSmtpSwitchedOn(now)],
		['quiet events', () => closeQuietEvents(now)],
		['undelivered', () => retryUndelivered(now)]
	];
	// one check failing (a database hiccup) does not stop the others
	for (const [name, step] of steps)
		await step().catch((error) =>
			log.warn({ event: 'alert_check_failed', check: name, err: error }, 'an alert check failed')
		);
	return { checked };
}

/** More than the threshold of messages waiting longer than the set minutes. */
export async function checkBacklog(now = new Date()) {
	const { backlogThreshold, backlogMinutes } = await getAlertTimings();
	const before = new Date(now.getTime() - backlogMinutes * MINUTE_MS);
	const [{ waiting }] = await db()
		.select({ waiting: count() })
		.from(tables.mailOutbox)
		.where(
			and(
				inArray(tables.mailOutbox.status, ['queued', 'sending', 'retrying']),
				lt(tables.mailOutbox.createdAt, before)
			)
		);
	if (waiting <= backlogThreshold) return resolveAlert('outbox-backlog', 'outbox', now);
	return fireAlert(
		{
			type: 'outbox-backlog',
			key: 'outbox',
			about: 'The outbox',
			facts: {
				Waiting: `${waiting} messages for more than ${backlogMinutes} minutes (threshold ${backlogThreshold})`,
				'What to do':
					'Open the mail log: a paused or failing server, or a per-minute limit set too low, holds mail back.'
			}
		},
		now
	);
}

function daysLeft(expiresOn: string, now: Date): number {
	const last = Date.parse(`${expiresOn}T00:00:00Z`);
	const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
	return Math.round((last - today) / DAY_MS);
}

/** Microsoft 365 client secrets 30, 14 and 7 days before they expire, and once expired. */
export async function checkSecretExpiry(now = new Date()) {
	const servers = await db()
		.select({
			id: tables.smtpServers.id,
			name: tables.smtpServers.name,
			expiresOn: tables.smtpServers.clientSecretExpiresOn
		})
		.from(tables.smtpServers)
		.where(inArray(tables.smtpServers.auth, ['microsoft', 'graph']));
	const timeZone = await siteTimeZone();
	const expiring: string[] = [];
	for (const server of servers) {
		if (!server.expiresOn) continue;
		const left = daysLeft(server.expiresOn, now);
		const level = left < 0 ? 4 : EXPIRY_STEPS.find(([days]) => left <= days)?.[1];
		if (!level) continue;
		expiring.push(server.id);
		const when = formatTime(new Date(`${server.expiresOn}T00:00:00Z`), timeZone).replace(
			/ at .*/,
			''
		);
		await fireAlert(
			{
				type: 'secret-expiry',
				key: server.id,
				about: server.name,
				level,
				facts: {
					Server: server.name,
					'Client secret':
						left < 0 ? `expired on ${when}` : `expires on ${when} (${left} days left)`,
					'What to do':
						'In Entra ID (App registrations → Certificates & secrets) add a new client secret, paste it into the server’s form with its new expiry date, and run the configuration test.'
				}
			},
			now
		);
	}
	await resolveAllBut('secret-expiry', expiring, now);
}

/** Username and password against Microsoft's SMTP hosts: refused by Exchange Online from the switch-off. */
export async function checkBasicAuthOnMicrosoft(now = new Date()) {
	const servers = await db()
		.select({
			id: tables.smtpServers.id,
			name: tables.smtpServers.name,
			host: tables.smtpServers.host
		})
		.from(tables.smtpServers)
		.where(eq(tables.smtpServers.auth, 'basic'));
	const flagged = servers.filter((server) =>
		signsInWithBasicToMicrosoft({ auth: 'basic', ...server })
	);
	for (const server of flagged)
		await fireAlert(
			{
				type: 'basic-auth-microsoft',
				key: server.id,
				about: server.name,
				facts: {
					Server: `${server.name} (${server.host})`,
					Why: BASIC_AUTH_RETIREMENT,
					'What to do':
						'Open the server’s page and choose “Switch to Microsoft 365 OAuth2”: the form opens pre-filled; register an app in Entra ID with SMTP.SendAsApp and enter its tenant, client and secret.'
				}
			},
			now
		);
	await resolveAllBut(
		'basic-auth-microsoft',
		flagged.map((server) => server.id),
		now
	);
}

/** Open "recovery codes low" alerts clear once the account has more than two unused codes again. */
export async function checkRecoveryCodes(now = new Date()) {
	const open = await db()
		.select({ key: tables.alertEpisodes.key })
		.from(tables.alertEpisodes)
		.where(
			and(
				eq(tables.alertEpisodes.type, 'recovery-codes-low'),
				isNull(tables.alertEpisodes.resolvedAt)
			)
		);
	for (const { key } of open)
		if ((await countUnusedRecoveryCodes(key)) > 2)
			await resolveAlert('recovery-codes-low', key, now);
}

/** The "SMTP configuration switched off" alert clears once it is on again. */
export async function checkSmtpSwitchedOn(now = new Date()) {
	const [site] = await db()
		.select({ enabled: tables.siteSettings.smtpEnabled })
		.from(tables.siteSettings);
	if (site?.enabled) await resolveAlert('smtp-switched-off', 'site', now);
}
