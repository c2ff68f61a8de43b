import { describe, expect, it } from 'vitest';
import { takeRateLimit } from './rate-limit.js';

describe('takeRateLimit', () => {
	it('allows `limit` uses per window, then says how long to wait', () => {
		const t0 = 1_000_000;
		for (let i = 0; i < 3; i++) expect(takeRateLimit('k1', 3, 60_000, t0 + i).ok).toBe(true);
		expect(takeRateLimit('k1', 3, 60_000, t0 + 10)).toEqual({ ok: false, retryAfterSeconds: 60 });
		expect(takeRateLimit('k1', 3, 60_000, t0 + 60_001).ok).toBe(true);
	});
	it('keeps keys apart', () => {
		expect(takeRateLimit('a', 1, 1000, 5).ok).toBe(true);
		expect(takeRateLimit('b', 1, 1000, 5).ok).toBe(true);
		expect(takeRateLimit('a', 1, 1000, 6).ok).toBe(false);
	});
});
