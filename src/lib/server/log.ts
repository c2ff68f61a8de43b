/**
 * Structured logs: one JSON line per event (pretty-printed in development).
 * Redaction is the last line of defence; callers never pass secrets in the first place.
 */
import pino from 'pino';
import pretty from 'pino-pretty';
import { config } from './config.js';

const options: pino.LoggerOptions = {
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
	}
};

// pino-pretty as an in-process stream rather than a worker-thread transport: transports cannot resolve their
// target from inside Vite's dev module runner.
export const log =
	config.logFormat === 'pretty'
		? pino(
				options,
				pretty({
					colorize: true,
					singleLine: true,
					translateTime: 'HH:MM:ss',
					ignore: 'pid,hostname'
				})
			)
		: pino(options);
