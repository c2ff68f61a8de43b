/** How the queue holds each server to its connection limit. */
import type { ServerLimits } from '../mail/limits.js';

/**
 * The queue's group for a server's messages: pg-boss limits active jobs per group across every instance, and
 * the tier carries the server's connection limit (tiers c1..c50 map to 1..50 at once).
 */
export function queueGroupOf(serverId: string, limits: ServerLimits) {
	return { id: serverId, tier: `c${limits.maxConnections}` };
}

export const CONNECTION_TIERS: Record<string, number> = Object.fromEntries(
	Array.from({ length: 50 }, (_, i) => [`c${i + 1}`, i + 1])
);
