/**
 * Whether a server may take one more message now: not paused, and under its messages-per-minute and
 * recipients-per-day limits (null: no limit). Taking a slot is one conditional UPDATE on the server's gate row
 * (db/schema/outbox.ts), so the limits hold across instances; a message that finds the gate closed is deferred
 * to when it opens, which is not a failed attempt.
 */
import { eq, sql } from 'drizzle-orm';
import { db, tables } from '../db/index.js';

const gates = tables.smtpDeliveryGates;

export interface DeliveryLimits {
	messagesPerMinute: number | null;
	recipientsPerDay: number | null;
}

export type GateDecision = { open: true } | { open: false; until: Date; reason: string };

/** Counts one message against a server with rates (countsRates); one without is decided by pauseDecision. */
export async function takeDeliverySlot(
	serverId: string,
	recipients: number,
	limits: DeliveryLimits,
	now = new Date()
): Promise<GateDecision> {
	await db().insert(gates).values({ serverId }).onConflictDoNothing();
	const perMinute = limits.messagesPerMinute ?? 2_147_483_647;
	const perDay = limits.recipientsPerDay ?? 2_147_483_647;
	const at = now.toISOString();
	const minuteOver = sql`(${gates.minuteStartedAt} <= ${at}::timestamptz - interval '1 minute')`;
	const dayOver = sql`(${gates.dayStartedAt} <= ${at}::timestamptz - interval '1 day')`;
	const taken = await db()
		.update(gates)
		.set({
			minuteStartedAt: sql`case when ${minuteOver} then ${at}::timestamptz else ${gates.minuteStartedAt} end`,
			messagesThisMinute: sql`case when ${minuteOver} then 1 else ${gates.messagesThisMinute} + 1 end`,
			dayStartedAt: sql`case when ${dayOver} then ${at}::timestamptz else ${gates.dayStartedAt} end`,
			recipientsToday: sql`case when ${dayOver} then ${recipients} else ${gates.recipientsToday} + ${recipients} end`
		})
		.where(
			sql`${gates.serverId} = ${serverId}
				and (${gates.pausedUntil} is null or ${gates.pausedUntil} <= ${at}::timestamptz)
				and (${minuteOver} or ${gates.messagesThisMinute} < ${perMinute})
				and (${dayOver} or ${gates.recipientsToday} + ${recipients} <= ${perDay})`
		)
		.returning({ serverId: gates.serverId });
	if (taken.length) return { open: true };

	const [gate] = await db().select().from(gates).where(eq(gates.serverId, serverId));
	if (gate.pausedUntil && gate.pausedUntil > now)
		return { open: false, until: gate.pausedUntil, reason: gate.pauseReason ?? 'paused' };
	const minuteEnds = new Date(gate.minuteStartedAt.getTime() + 60_000);
	if (minuteEnds > now && gate.messagesThisMinute >= perMinute)
		return {
			open: false,
			until: minuteEnds,
			reason: `${perMinute} messages a minute reached`
		};
	return {
		open: false,
		until: new Date(gate.dayStartedAt.getTime() + 86_400_000),
		reason: `${perDay} recipients a day reached`
	};
}

/**
 * The gate of a server without rate limits, from its pause as already read (the worker reads it with the
 * message): closed until `pausedUntil`, open otherwise.
 */
export function pauseDecision(
	pausedUntil: Date | null,
	reason: string | null,
	now = new Date()
): GateDecision {
	return pausedUntil && pausedUntil > now
		? { open: false, until: pausedUntil, reason: reason ?? 'paused' }
		: { open: true };
}

/** Whether the server has a rate to count (otherwise only a pause closes its gate). */
export function countsRates(limits: DeliveryLimits): boolean {
	return limits.messagesPerMinute !== null || limits.recipientsPerDay !== null;
}

/** Stops deliveries through a server until `until`, saying why (shown on the server's page). */
export async function pauseServer(serverId: string, until: Date, reason: string) {
	await db()
		.insert(gates)
		.values({ serverId, pausedUntil: until, pauseReason: reason })
		.onConflictDoUpdate({
			target: gates.serverId,
			set: {
				pausedUntil: sql`greatest(coalesce(${gates.pausedUntil}, ${until.toISOString()}::timestamptz), ${until.toISOString()}::timestamptz)`,
				pauseReason: reason
			}
		});
}

export async function readGate(serverId: string) {
	const [gate] = await db().select().from(gates).where(eq(gates.serverId, serverId));
	return gate ?? null;
}
