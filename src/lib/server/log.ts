/**
 * Structured logs: one JSON line per event (pretty-printed in development).
 * Redaction is the last line of defence; callers never pass secrets in the first place.
 */
import pino from 'pino';
import { config } from './config.js';

export const log = pino({
	level: config.logLevel,
	redact: {
		paths: [
			'*.password',
			'*.secret',
			'*.token',
			'*.code',
			'*.authorization',
			'*.cookie',
			'password',
			'secret',
			'token',
			'code'
		],
		censor: '[redacted]'
	},
	transport:
		config.logFormat === 'pretty'
			? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss' } }
			: undefined
});
