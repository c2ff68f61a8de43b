/**
 * Which alerts are on, who gets them, and the connector's timings. A type the admin never touched is on and
 * goes to the Default Recipients; a health alert also goes to the Admiral Alert Email.
 */
import { eq } from 'drizzle-orm';
import { db, tables, type Db } from '../db/index.js';
import { ALERT_CATALOGUE, ALERT_TYPES, type AlertType } from './catalogue.js';

export interface AlertRule {
	type: AlertType;
	enabled: boolean;
	recipientsMode: 'default' | 'custom';
	customRecipients: string[];
}

export interface AlertTimings {
	healthIntervalMinutes: number;
	repeatHours: number;
	backlogThreshold: number;
	backlogMinutes: number;
}

export const DEFAULT_TIMINGS: AlertTimings = {
	healthIntervalMinutes: 5,
	repeatHours: 6,
	backlogThreshold: 100,
	backlogMinutes: 15
};

export async function listAlertRules(executor: Db = db()): Promise<AlertRule[]> {
	const rows = await executor.select().from(tables.alertRules);
	const byType = new Map(rows.map((row) => [row.type, row]));
	return ALERT_TYPES.map((type) => {
		const row = byType.get(type);
		return {
			type,
			enabled: row?.enabled ?? true,
			recipientsMode: row?.recipientsMode ?? 'default',
			customRecipients: row?.customRecipients ?? []
		};
	});
}

export async function getAlertRule(type: AlertType, executor: Db = db()): Promise<AlertRule> {
	const [row] = await executor
		.select()
		.from(tables.alertRules)
		.where(eq(tables.alertRules.type, type));
	return {
		type,
		enabled: row?.enabled ?? true,
		recipientsMode: row?.recipientsMode ?? 'default',
		customRecipients: row?.customRecipients ?? []
	};
}

export async function saveAlertRule(rule: AlertRule): Promise<void> {
	const values = {
		type: rule.type,
		enabled: rule.enabled,
		recipientsMode: rule.recipientsMode,
		customRecipients: rule.customRecipients,
		updatedAt: new Date()
	};
	await db()
		.insert(tables.alertRules)
		.values(values)
		.onConflictDoUpdate({ target: tables.alertRules.type, set: values });
}

export async function getAlertTimings(executor: Db = db()): Promise<AlertTimings> {
	const [row] = await executor.select().from(tables.alertSettings);
	if (!row) return DEFAULT_TIMINGS;
	return {
		healthIntervalMinutes: row.healthIntervalMinutes,
		repeatHours: row.repeatHours,
		backlogThreshold: row.backlogThreshold,
		backlogMinutes: row.backlogMinutes
	};
}

export async function saveAlertTimings(timings: AlertTimings): Promise<void> {
	const values = { id: 1, ...timings, updatedAt: new Date() };
	await db()
		.insert(tables.alertSettings)
		.values(values)
		.onConflictDoUpdate({ target: tables.alertSettings.id, set: values });
}

/** Who an alert of this type goes to now: the rule's list, plus the Admiral Alert Email for health alerts. */
export async function recipientsOf(type: AlertType, executor: Db = db()): Promise<string[]> {
	const [rule, [site]] = await Promise.all([
		getAlertRule(type, executor),
		executor
			.select({
				alertEmail: tables.siteSettings.alertEmail,
				defaultRecipients: tables.siteSettings.defaultRecipients
			})
			.from(tables.siteSettings)
	]);
	const list =
		rule.recipientsMode === 'custom' ? rule.customRecipients : (site?.defaultRecipients ?? []);
	const all = ALERT_CATALOGUE[type].health && site?.alertEmail ? [site.alertEmail, ...list] : list;
	return [...new Set(all.map((address) => address.toLowerCase()))];
}
