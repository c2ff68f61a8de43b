/**
 * Every environment variable Postern reads, declared and validated in one place.
 * SvelteKit validates them when the server starts: a bad value stops start-up with the variable's name and
 * what it expects. Server code reads them from `$app/env/private`; nothing else reads `process.env`
 * (server.js, the HTTP entry, reads HOST, PORT, POSTERN_PUBLIC_URL and POSTERN_TRUST_PROXY after this
 * validation has run; see ARCHITECTURE.md).
 */
import { defineEnvVars } from '@sveltejs/kit/env';

function optional<T>(parse: (value: string) => T) {
	return (value: string | undefined): T | undefined =>
		value === undefined || value === '' ? undefined : parse(value);
}

function oneOf<T extends string>(name: string, choices: readonly T[], fallback: T) {
	return (value: string | undefined): T => {
		if (value === undefined || value === '') return fallback;
		if (!(choices as readonly string[]).includes(value))
			throw new Error(`${name} must be one of ${choices.join(', ')} (got "${value}")`);
		return value as T;
	};
}

function bool(name: string) {
	return (value: string | undefined): boolean => {
		if (value === undefined || value === '') return false;
		if (/^(1|true|yes|on)$/i.test(value)) return true;
		if (/^(0|false|no|off)$/i.test(value)) return false;
		throw new Error(`${name} must be true or false (got "${value}")`);
	};
}

export const variables = defineEnvVars({
	POSTERN_DATA_DIR: {
		description: 'Folder for the embedded database and the generated secret key. Default ./data',
		schema: (value) => (value === undefined || value === '' ? './data' : value)
	},
	DATABASE_URL: {
		description:
			'postgres://user:pass@host:5432/db to use PostgreSQL instead of the embedded database',
		schema: optional((value) => {
			if (!/^postgres(ql)?:\/\//.test(value))
				throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
			return value;
		})
	},
	POSTERN_SECRET_KEY: {
		description:
			'Key that seals stored secrets: 32 random bytes, base64. Default: a key file in the data folder',
		schema: optional((value) => {
			const key = Buffer.from(value, 'base64');
			if (key.length !== 32)
				throw new Error(
					`POSTERN_SECRET_KEY must be 32 bytes encoded in base64 (decoded ${key.length} bytes); make one with: openssl rand -base64 32`
				);
			return value;
		})
	},
	POSTERN_PUBLIC_URL: {
		description:
			'The URL users reach Postern at when it is behind a proxy, e.g. https://mail.example.com',
		schema: optional((value) => {
			let url: URL;
			try {
				url = new URL(value);
			} catch {
				throw new Error(`POSTERN_PUBLIC_URL must be an absolute http(s) URL (got "${value}")`);
			}
			if (url.protocol !== 'http:' && url.protocol !== 'https:')
				throw new Error('POSTERN_PUBLIC_URL must start with http:// or https://');
			return url.origin;
		})
	},
	POSTERN_TRUST_PROXY: {
		description: 'true when a reverse proxy sets X-Forwarded-Proto/Host/For. Default false',
		schema: bool('POSTERN_TRUST_PROXY')
	},
	POSTERN_SETUP_TRUST_LOOPBACK: {
		description:
			'true: /setup does not ask for the setup code from a browser on this machine (loopback, not relayed by a proxy). Default false',
		schema: bool('POSTERN_SETUP_TRUST_LOOPBACK')
	},
	POSTERN_MOCK: {
		description:
			'true (set by npm run dev:mock): in-memory seeded database, embedded mail sink, mocked Microsoft identity platform. Dev server only',
		schema: bool('POSTERN_MOCK')
	},
	POSTERN_MAIL_LOG_RETENTION_DAYS: {
		description:
			'Days a delivered or given-up message stays in the mail log before it is pruned. Default 30',
		schema: (value: string | undefined): number => {
			if (value === undefined || value === '') return 30;
			const days = Number(value);
			if (!/^\d+$/.test(value) || days < 1 || days > 3650)
				throw new Error(
					`POSTERN_MAIL_LOG_RETENTION_DAYS must be a whole number of days from 1 to 3650 (got "${value}")`
				);
			return days;
		}
	},
	POSTERN_ALERT_SWEEP: {
		description:
			'false: this instance does not run the once-a-minute alert sweep (health checks, condition alerts); the other instances on the same database do. Default true',
		schema: (value: string | undefined): boolean =>
			value === undefined || value === '' ? true : bool('POSTERN_ALERT_SWEEP')(value)
	},
	POSTERN_METRICS_TOKEN: {
		description:
			'Bearer token for GET /metrics (Prometheus). Unset: /metrics answers 404. At least 32 characters',
		schema: optional((value) => {
			if (value.length < 32)
				throw new Error(
					'POSTERN_METRICS_TOKEN must be at least 32 characters; make one with: openssl rand -hex 32'
				);
			return value;
		})
	},
	LOG_LEVEL: {
		description: 'fatal, error, warn, info, debug or trace. Default info',
		schema: oneOf(
			'LOG_LEVEL',
			['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
			'info'
		)
	},
	LOG_FORMAT: {
		description: 'json (default in production) or pretty (default in development)',
		schema: optional((value) => {
			if (value !== 'json' && value !== 'pretty')
				throw new Error(`LOG_FORMAT must be json or pretty (got "${value}")`);
			return value;
		})
	}
});
