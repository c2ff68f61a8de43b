/**
 * What the alerts page shows and changes: each type's switch and recipients, the timings, where alerts go
 * now, what is firing, each server's last health check; every change audited.
 */
import { count, desc, eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { recordAudit, type AuditContext } from '../audit.js';
import { awaitFirstAttempt } from '../outbox/wait.js';
import { parseRecipientList } from '../../recipients.js';
import type { AlertRuleForm } from '../../schemas/alerts.js';
import { ALERT_CATALOGUE, isAlertType, type AlertType } from './catalogue.js';
import {
	getAlertTimings,
	listAlertRules,
	saveAlertRule,
	saveAlertTimings,
	type AlertTimings
} from './rules.js';
import { alertRoute } from './route.js';
import { sendTestAlert } from './episodes.js';
import { listFiringAlerts } from './history.js';
import { checkDueServers } from './health.js';

export async function alertsOverview() {
	const [rules, timings, route, firing, health, [site]] = await Promise.all([
		listAlertRules(),
		getAlertTimings(),
		alertRoute(),
		listFiringAlerts(),
		db()
			.select({
				serverId: tables.smtpServers.id,
				name: tables.smtpServers.name,
				checkedAt: tables.smtpHealth.checkedAt,
				ok: tables.smtpHealth.ok,
				summary: tables.smtpHealth.summary
			})
			.from(tables.smtpServers)
			.leftJoin(tables.smtpHealth, eq(tables.smtpHealth.serverId, tables.smtpServers.id))
			.orderBy(desc(tables.smtpHealth.checkedAt), tables.smtpServers.name),
		db()
			.select({
				alertEmail: tables.siteSettings.alertEmail,
				defaultRecipients: tables.siteSettings.defaultRecipients
			})
			.from(tables.siteSettings)
	]);
	return {
		rules: rules.map((rule) => ({ ...rule, ...ALERT_CATALOGUE[rule.type] })),
		timings,
		route,
		firing,
		health,
		alertEmail: site?.alertEmail ?? null,
		defaultRecipients: site?.defaultRecipients ?? []
	};
}

export type RuleChange = { ok: true; title: string } | { ok: false; message: string };

export async function changeAlertRule(
	form: AlertRuleForm,
	context: AuditContext
): Promise<RuleChange> {
	if (!isAlertType(form.type)) return { ok: false, message: 'There is no such alert type.' };
	const parsed = parseRecipientList(form.customRecipients);
	const customRecipients = parsed.ok ? parsed.recipients : [];
	await saveAlertRule({
		type: form.type,
		enabled: form.enabled,
		recipientsMode: form.recipientsMode,
		customRecipients
	});
	await recordAudit({
		actor: context.actor,
		action: 'alert.rule_updated',
		ip: context.ip,
		detail: {
			type: form.type,
			enabled: form.enabled,
			recipientsMode: form.recipientsMode,
			customRecipients
		}
	});
	return { ok: true, title: ALERT_CATALOGUE[form.type].title };
}

export async function changeAlertTimings(timings: AlertTimings, context: AuditContext) {
	await saveAlertTimings(timings);
	await recordAudit({
		actor: context.actor,
		action: 'alert.settings_updated',
		ip: context.ip,
		detail: { ...timings }
	});
}

export type TestAlertOutcome =
	| {
			ok: true;
			title: string;
			recipients: number;
			serverName: string;
			delivered: 'sent' | 'delayed';
	  }
	| { ok: false; message: string };

/** Sends a test of `type` now and waits a few seconds for its first delivery attempt. */
export async function testAlert(type: string, context: AuditContext): Promise<TestAlertOutcome> {
	if (!isAlertType(type)) return { ok: false, message: 'There is no such alert type.' };
	const sent = await sendTestAlert(type as AlertType, context.actor);
	await recordAudit({
		actor: context.actor,
		action: 'alert.tested',
		outcome: sent.ok ? 'ok' : 'failed',
		ip: context.ip,
		detail: { type, ...(sent.ok ? { messages: sent.messageIds.length } : { reason: sent.reason }) }
	});
	const title = ALERT_CATALOGUE[type as AlertType].title;
	if (!sent.ok) return { ok: false, message: `The test alert could not be sent: ${sent.reason}.` };
	const state = await awaitFirstAttempt(sent.messageIds[0]);
	if (state.status === 'failed')
		return {
			ok: false,
			message: `The test alert was refused: ${state.diagnosis?.title ?? state.lastReply ?? 'see the mail log'}.`
		};
	return {
		ok: true,
		title,
		recipients: sent.messageIds.length,
		serverName: sent.serverName,
		delivered: state.status === 'sent' ? 'sent' : 'delayed'
	};
}

/** "Check servers now": every server's health check at once, with the alerts it calls for. */
export async function checkServersNow(context: AuditContext): Promise<number> {
	const checked = await checkDueServers(new Date(), { all: true });
	await recordAudit({
		actor: context.actor,
		action: 'alert.health_checked',
		ip: context.ip,
		detail: { servers: checked }
	});
	return checked;
}

/** For the console's banner: why alerts cannot be delivered at all, or null when they can. */
export async function alertsUndeliverable(): Promise<string | null> {
	// without any server there is nothing to deliver through yet: the site settings say what to set up
	const [{ servers }] = await db().select({ servers: count() }).from(tables.smtpServers);
	if (!servers) return null;
	const route = await alertRoute();
	return route.ok ? null : route.reason;
}
