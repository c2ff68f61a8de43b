/**
 * A small in-memory sliding-window limit for admin-triggered probes (configuration tests, LDAP connection
 * tests): SECURITY.md asks for them to be rate-limited, since they make the server open connections on an
 * admin's behalf. Per process; sign-in throttling, which must hold across instances, lives in auth/throttle.ts.
 */
const windows = new Map<string, number[]>();

/** Takes one use of `key`; returns the seconds to wait when `limit` uses already happened within `windowMs`. */
export function takeRateLimit(
	key: string,
	limit: number,
	windowMs: number,
	now = Date.now()
): { ok: true } | { ok: false; retryAfterSeconds: number } {
	const recent = (windows.get(key) ?? []).filter((t) => now - t < windowMs);
	if (recent.length >= limit) {
		windows.set(key, recent);
		return {
			ok: false,
			retryAfterSeconds: Math.max(1, Math.ceil((recent[0] + windowMs - now) / 1000))
		};
	}
	recent.push(now);
	windows.set(key, recent);
	return { ok: true };
}
