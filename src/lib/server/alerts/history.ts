/**
 * What alerts did: each episode (fired, resolved, recipients) with the messages it queued, newest first, a
 * page at a time; and what is firing now, for the alerts page and the console's banner.
 */
import { and, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { MailStatus } from '../outbox/message.js';
import { ALERT_CATALOGUE, isAlertType, type AlertType } from './catalogue.js';

export const HISTORY_PAGE_SIZE = 25;

export interface AlertHistoryRow {
	id: string;
	type: AlertType;
	title: string;
	about: string;
	firedAt: Date;
	resolvedAt: Date | null;
	notifiedAt: Date | null;
	occurrences: number;
	recipients: string[];
	test: boolean;
	messages: { id: string; to: string; status: MailStatus; createdAt: Date }[];
}

export async function listAlertHistory(options: { page?: number; type?: AlertType }) {
	const page = Math.max(1, options.page ?? 1);
	const episodes = tables.alertEpisodes;
	const where = options.type ? eq(episodes.type, options.type) : undefined;
	const [rows, [{ total }]] = await Promise.all([
		db()
			.select()
			.from(episodes)
			.where(where)
			.orderBy(desc(episodes.firedAt), desc(episodes.id))
			.limit(HISTORY_PAGE_SIZE)
			.offset((page - 1) * HISTORY_PAGE_SIZE),
		db().select({ total: count() }).from(episodes).where(where)
	]);
	const outbox = tables.mailOutbox;
	const alertId = sql<string>`${outbox.origin} ->> 'alertId'`;
	// one query for the page's messages (the partial index on origin->>'alertId')
	const messages = rows.length
		? await db()
				.select({
					id: outbox.id,
					alertId,
					to: outbox.recipients,
					status: outbox.status,
					createdAt: outbox.createdAt
				})
				.from(outbox)
				.where(
					and(
						sql`${outbox.origin} ->> 'alertId' is not null`,
						inArray(
							alertId,
							rows.map((r) => r.id)
						)
					)
				)
				.orderBy(outbox.createdAt)
		: [];
	return {
		page,
		pages: Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE)),
		total,
		rows: rows
			.filter((row) => isAlertType(row.type))
			.map((row): AlertHistoryRow => ({
				id: row.id,
				type: row.type as AlertType,
				title: ALERT_CATALOGUE[row.type as AlertType].title,
				about: row.about,
				firedAt: row.firedAt,
				resolvedAt: row.test ? null : row.resolvedAt,
				notifiedAt: row.notifiedAt,
				occurrences: row.occurrences,
				recipients: row.recipients,
				test: row.test,
				messages: messages
					.filter((m) => m.alertId === row.id)
					.map((m) => ({ id: m.id, to: m.to.join(', '), status: m.status, createdAt: m.createdAt }))
			}))
	};
}

/** Alerts firing now (not tests), newest first. */
export async function listFiringAlerts() {
	const episodes = tables.alertEpisodes;
	const rows = await db()
		.select()
		.from(episodes)
		.where(and(isNull(episodes.resolvedAt), eq(episodes.test, false)))
		.orderBy(desc(episodes.firedAt));
	return rows
		.filter((row) => isAlertType(row.type))
		.map((row) => ({
			id: row.id,
			type: row.type as AlertType,
			title: ALERT_CATALOGUE[row.type as AlertType].title,
			about: row.about,
			firedAt: row.firedAt,
			notified: row.notifiedAt !== null
		}));
}
