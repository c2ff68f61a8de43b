/**
 * The validated environment (declared in src/env.ts), as one typed object for server modules.
 * Server modules take what they need from here; they never read process.env.
 */
import * as env from '$app/env/private';
import { dev } from '$app/env';
import path from 'node:path';

export const config = {
	dev,
	dataDir: path.resolve(env.POSTERN_DATA_DIR),
	databaseUrl: env.DATABASE_URL,
	secretKey: env.POSTERN_SECRET_KEY,
	publicUrl: env.POSTERN_PUBLIC_URL,
	trustProxy: env.POSTERN_TRUST_PROXY,
	setupTrustLoopback: env.POSTERN_SETUP_TRUST_LOOPBACK,
	/** Mock mode exists only under the dev server: `dev` is false in every production build. */
	mock: dev && env.POSTERN_MOCK,
	mailLogRetentionDays: env.POSTERN_MAIL_LOG_RETENTION_DAYS,
	metricsToken: env.POSTERN_METRICS_TOKEN,
	alertSweep: env.POSTERN_ALERT_SWEEP,
	logLevel: env.LOG_LEVEL,
	logFormat: env.LOG_FORMAT ?? (dev ? 'pretty' : 'json')
} as const;
