/**
 * Structured logs: one JSON line per event (pretty-printed in development).
 * Redaction is the last line of defence; callers never pass secrets in the first place. Errors logged as
 * `err` or `error` pass through `serializeError` (log-errors.ts): a failed query is logged by its code, table
 * and constraint, never with the parameter values its message and properties carry.
 */
import pino from 'pino';
import pretty from 'pino-pretty';
import { config } from './config.js';
import { serializeError } from './log-errors.js';

const options: pino.LoggerOptions = {
	level: config.logLevel,
	serializers: { err: serializeError, error: serializeError },
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

/** The app's logger writing to `destination` (stdout by default): the same options, for tests too. */
export function createLogger(
	destination?: pino.DestinationStream,
	format: 'json' | 'pretty' = config.logFormat
) {
	// pino-pretty as an in-process stream rather than a worker-thread transport: transports cannot resolve
	// their target from inside Vite's dev module runner.
	if (format === 'pretty')
		return pino(
			options,
			pretty({
				colorize: true,
				singleLine: true,
				translateTime: 'HH:MM:ss',
				ignore: 'pid,hostname',
				...(destination ? { destination } : {})
			})
		);
	return destination ? pino(options, destination) : pino(options);
}

export const log = createLogger();
