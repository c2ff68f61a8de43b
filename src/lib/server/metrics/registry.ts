/**
 * Postern's Prometheus metrics (prom-client), in one registry of this process. Counters and the latency
 * histogram count what this instance did (Prometheus adds instances up); the queue depth is read from the
 * database at each scrape, so every instance reports the same shared queue.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

export const mailAttempts = new Counter({
	name: 'postern_mail_attempts_total',
	help: 'Delivery attempts by message kind and outcome (sent, retry, failed, deferred)',
	labelNames: ['kind', 'outcome'] as const,
	registers: [registry]
});

export const mailDeliverySeconds = new Histogram({
	name: 'postern_mail_delivery_seconds',
	help: 'Seconds from enqueue to the server accepting the message, by kind',
	labelNames: ['kind'] as const,
	buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
	registers: [registry]
});

export const configurationTests = new Counter({
	name: 'postern_smtp_tests_total',
	help: 'SMTP configuration tests by mode (verify, send) and outcome (ok, failed)',
	labelNames: ['mode', 'outcome'] as const,
	registers: [registry]
});

/** Set just before each scrape (routes/metrics), from the outbox table. */
export const mailQueueDepth = new Gauge({
	name: 'postern_mail_queue_depth',
	help: 'Messages not finished yet, by status (queued, sending, retrying), across all instances',
	labelNames: ['status'] as const,
	registers: [registry]
});

export const mailFinished24h = new Gauge({
	name: 'postern_mail_finished_24h',
	help: 'Messages finished in the last 24 hours, by status (sent, failed), across all instances',
	labelNames: ['status'] as const,
	registers: [registry]
});
