/**
 * Firing and resolving alerts. Each step runs in one transaction holding the episode's row: the state change
 * and the mails it calls for commit together (enqueueManyInTransaction), so a restart in the middle neither
 * loses the mail nor sends it twice, and two instances seeing the same condition send one mail (the partial
 * unique index on open episodes, and the row lock).
 *
 * One mail per condition per repeat interval: a condition still true is mailed again only after it (types
 * that would only say the same thing again, like a secret's expiry, are not repeated); a worse level (a secret
 * now 7 days from expiry instead of 14) is mailed at once. A condition that clears gets a
 * "resolved" mail. An episode that could not be mailed (no server, no recipient) stays un-notified, and the
 * sweep tries again.
 */
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { db, tables, type Db } from '../db/index.js';
import type { AlertEpisodeRow } from '../db/schema/index.js';
import { enqueueManyInTransaction } from '../outbox/enqueue.js';
import { nudgeMailWorker } from '../outbox/worker.js';
import { alertMail, type AlertPhase } from '../mail/templates/alert.js';
import { formatTime } from '../mail/templates/time.js';
import { siteTimeZone } from '../site/settings.js';
import { log } from '../log.js';
import { ALERT_CATALOGUE, type AlertType } from './catalogue.js';
import { getAlertRule, getAlertTimings, recipientsOf } from './rules.js';
import { alertRoute } from './route.js';

export interface AlertSignal {
	type: AlertType;
	/** What makes two signals the same condition (a server's id, an account). */
	key: string;
	about: string;
	facts: Record<string, string>;
	/** Severity step; a higher one than the open episode's is mailed at once. */
	level?: number;
}

export type FireOutcome = 'disabled' | 'notified' | 'undeliverable' | 'folded';

const HOUR_MS = 3600_000;

/** Records that a condition holds (or an event happened) and mails it when due. */
export async function fireAlert(signal: AlertSignal, now = new Date()): Promise<FireOutcome> {
	const outcome = await db().transaction(async (transaction) => {
		const tx = transaction as unknown as Db;
		const rule = await getAlertRule(signal.type, tx);
		if (!rule.enabled) return 'disabled' as const;
		const level = signal.level ?? 0;
		const [created] = await tx
			.insert(tables.alertEpisodes)
			.values({
				type: signal.type,
				key: signal.key,
				about: signal.about,
				facts: Object.entries(signal.facts),
				level,
				firedAt: now,
				lastSeenAt: now
			})
			.onConflictDoNothing()
			.returning();
		if (created) return notify(tx, created, 'firing', now);
		const episode = await lockOpenEpisode(tx, signal.type, signal.key);
		if (!episode) return 'folded' as const;
		const [updated] = await tx
			.update(tables.alertEpisodes)
			.set({
				occurrences: sql`${tables.alertEpisodes.occurrences} + 1`,
				lastSeenAt: now,
				facts: Object.entries(signal.facts),
				about: signal.about,
				level: Math.max(level, episode.level)
			})
			.where(eq(tables.alertEpisodes.id, episode.id))
			.returning();
		const { repeatHours } = await getAlertTimings(tx);
		if (level > episode.level) return notify(tx, updated, 'worse', now);
		if (!episode.notifiedAt) return notify(tx, updated, 'firing', now);
		if (
			ALERT_CATALOGUE[signal.type].repeats &&
			now.getTime() - episode.notifiedAt.getTime() >= repeatHours * HOUR_MS
		)
			return notify(tx, updated, 'repeat', now);
		return 'folded' as const;
	});
	if (outcome === 'notified') nudgeMailWorker();
	return outcome;
}

/** The condition cleared: the episode is closed, with a "resolved" mail if its firing was mailed. */
export async function resolveAlert(
	type: AlertType,
	key: string,
	now = new Date()
): Promise<boolean> {
	const mailed = await db().transaction(async (transaction) => {
		const tx = transaction as unknown as Db;
		const episode = await lockOpenEpisode(tx, type, key);
		if (!episode) return null;
		const [closed] = await tx
			.update(tables.alertEpisodes)
			.set({ resolvedAt: now })
			.where(eq(tables.alertEpisodes.id, episode.id))
			.returning();
		const rule = await getAlertRule(type, tx);
		if (!episode.notifiedAt || !rule.enabled) return false;
		return (await notify(tx, closed, 'resolved', now)) === 'notified';
	});
	if (mailed) nudgeMailWorker();
	return mailed !== null;
}

/** Resolves every open episode of `type` whose key is not among `stillTrue` (what the sweep found). */
export async function resolveAllBut(
	type: AlertType,
	stillTrue: Iterable<string>,
	now = new Date()
): Promise<number> {
	const keep = new Set(stillTrue);
	const open = await db()
		.select({ key: tables.alertEpisodes.key })
		.from(tables.alertEpisodes)
		.where(
			and(
				eq(tables.alertEpisodes.type, type),
				isNull(tables.alertEpisodes.resolvedAt),
				eq(tables.alertEpisodes.test, false)
			)
		);
	let resolved = 0;
	for (const { key } of open)
		if (!keep.has(key) && (await resolveAlert(type, key, now))) resolved += 1;
	return resolved;
}

/** Events close by themselves once a repeat interval passed without another occurrence (no mail). */
export async function closeQuietEvents(now = new Date()): Promise<number> {
	const { repeatHours } = await getAlertTimings();
	const before = new Date(now.getTime() - repeatHours * HOUR_MS);
	const eventTypes = Object.values(ALERT_CATALOGUE)
		.filter((info) => info.kind === 'event')
		.map((info) => info.type);
	const closed = await db()
		.update(tables.alertEpisodes)
		.set({ resolvedAt: now })
		.where(
			and(
				isNull(tables.alertEpisodes.resolvedAt),
				lte(tables.alertEpisodes.lastSeenAt, before),
				inArray(tables.alertEpisodes.type, eventTypes)
			)
		)
		.returning({ id: tables.alertEpisodes.id });
	return closed.length;
}

/** Open episodes never mailed (no server or no recipient at the time): tried again. */
export async function retryUndelivered(now = new Date()): Promise<number> {
	const pending = await db()
		.select({ type: tables.alertEpisodes.type, key: tables.alertEpisodes.key })
		.from(tables.alertEpisodes)
		.where(and(isNull(tables.alertEpisodes.resolvedAt), isNull(tables.alertEpisodes.notifiedAt)));
	let sent = 0;
	for (const { type, key } of pending) {
		const done = await db().transaction(async (transaction) => {
			const tx = transaction as unknown as Db;
			const episode = await lockOpenEpisode(tx, type as AlertType, key);
			if (!episode || episode.notifiedAt) return false;
			const rule = await getAlertRule(type as AlertType, tx);
			if (!rule.enabled) return false;
			return (await notify(tx, episode, 'firing', now)) === 'notified';
		});
		if (done) sent += 1;
	}
	if (sent) nudgeMailWorker();
	return sent;
}

/**
 * A test alert of `type` to its recipients now, through the same route; recorded in the history (closed at
 * once, never repeated). Returns the messages' ids, or why it could not be sent.
 */
export async function sendTestAlert(
	type: AlertType,
	actor: string,
	now = new Date()
): Promise<{ ok: true; messageIds: string[]; serverName: string } | { ok: false; reason: string }> {
	const result = await db().transaction(async (transaction) => {
		const tx = transaction as unknown as Db;
		const [episode] = await tx
			.insert(tables.alertEpisodes)
			.values({
				type,
				key: `test:${crypto.randomUUID()}`,
				about: `Test from the alerts page by ${actor}`,
				facts: [['Sent by', actor]],
				firedAt: now,
				lastSeenAt: now,
				resolvedAt: now,
				test: true
			})
			.returning();
		return deliver(tx, episode, 'test', now);
	});
	if (result.ok) nudgeMailWorker();
	return result;
}

async function lockOpenEpisode(tx: Db, type: AlertType, key: string) {
	const [episode] = await tx
		.select()
		.from(tables.alertEpisodes)
		.where(
			and(
				eq(tables.alertEpisodes.type, type),
				eq(tables.alertEpisodes.key, key),
				isNull(tables.alertEpisodes.resolvedAt)
			)
		)
		.for('update');
	return episode ?? null;
}

async function notify(
	tx: Db,
	episode: AlertEpisodeRow,
	phase: AlertPhase,
	now: Date
): Promise<'notified' | 'undeliverable'> {
	const result = await deliver(tx, episode, phase, now);
	if (!result.ok)
		log.warn(
			{ event: 'alert_undeliverable', type: episode.type, reason: result.reason },
			'an alert could not be sent'
		);
	return result.ok ? 'notified' : 'undeliverable';
}

/** Queues the mail of `phase` to the type's recipients through the alert route, and records it. */
async function deliver(
	tx: Db,
	episode: AlertEpisodeRow,
	phase: AlertPhase,
	now: Date
): Promise<{ ok: true; messageIds: string[]; serverName: string } | { ok: false; reason: string }> {
	const type = episode.type as AlertType;
	const recipients = await recipientsOf(type, tx);
	if (recipients.length === 0)
		return { ok: false, reason: 'no recipients: set Default Recipients or a custom list' };
	const route = await alertRoute(tx);
	if (!route.ok) return { ok: false, reason: route.reason };
	const timeZone = await siteTimeZone(tx);
	const facts = Object.fromEntries(episode.facts);
	if (route.fallback && phase !== 'test')
		facts['Sent through'] = `${route.serverName} (the site's server is unavailable)`;
	const mail = alertMail({
		title: ALERT_CATALOGUE[type].title,
		phase,
		about: episode.about,
		facts,
		firedAt: formatTime(episode.firedAt, timeZone),
		resolvedAt:
			phase === 'resolved' && episode.resolvedAt
				? formatTime(episode.resolvedAt, timeZone)
				: undefined,
		occurrences: episode.occurrences
	});
	const sequence = episode.notifications + 1;
	const messageIds = await enqueueManyInTransaction(
		tx,
		recipients.map((recipient) => ({
			kind: 'alert' as const,
			serverId: route.serverId,
			to: [recipient],
			...mail,
			carriesSecret: false,
			dedupeKey: `alert:${episode.id}:${sequence}:${recipient}`,
			origin: { alertId: episode.id }
		}))
	);
	await tx
		.update(tables.alertEpisodes)
		.set({
			notifiedAt: phase === 'resolved' ? episode.notifiedAt : now,
			notifications: sequence,
			resolvedNotified: phase === 'resolved',
			recipients: [...new Set([...episode.recipients, ...recipients])]
		})
		.where(eq(tables.alertEpisodes.id, episode.id));
	return { ok: true, messageIds, serverName: route.serverName };
}
