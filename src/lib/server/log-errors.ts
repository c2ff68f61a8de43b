/**
 * How an error reads in the log. Database errors quote what was sent: drizzle's "Failed query: … params: …"
 * message and its `params` property hold every value of the statement (password hashes, addresses, tokens),
 * and PostgreSQL's own message and detail quote values too ('Key (lower(username))=(alice) already exists',
 * 'invalid input syntax for type uuid: "…"'). So a database error is logged by what names the failure
 * (SQLSTATE code as `sqlState`, table, column, constraint) and the statement's text with its placeholders, never a value.
 * Any other error keeps pino's standard shape.
 */
import pino from 'pino';

/** Fields of a PostgreSQL error (node-postgres and PGlite alike) that name what failed, quoting no value. */
const NAMING_FIELDS = [
	'severity',
	'schema',
	'table',
	'column',
	'dataType',
	'constraint',
	'routine'
] as const;

type Fields = Record<string, unknown>;

function isErrorLike(value: unknown): value is Error & Fields {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as Error).message === 'string' &&
		('stack' in value || value instanceof Error)
	);
}

/** The error and its causes, outermost first (a cycle ends the walk). */
function chain(error: Error): (Error & Fields)[] {
	const seen: (Error & Fields)[] = [];
	let current: unknown = error;
	while (isErrorLike(current) && !seen.includes(current)) {
		seen.push(current);
		current = current.cause;
	}
	return seen;
}

/** drizzle's wrapper: the statement text (placeholders only) and its values, kept apart. */
const isFailedQuery = (e: Fields) => typeof e.query === 'string' && 'params' in e;
/** A PostgreSQL error: a five-character SQLSTATE and a severity. */
const isDatabaseError = (e: Fields) =>
	typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';

/** The "    at …" lines of a stack, without the message lines above them (which quote the values). */
function frames(stack: unknown): string {
	if (typeof stack !== 'string') return '';
	return stack
		.split('\n')
		.filter((line) => /^\s+at /.test(line))
		.join('\n');
}

function typeOf(error: Error): string {
	return error.constructor?.name && error.constructor.name !== 'Object'
		? error.constructor.name
		: error.name;
}

/** "params:" and what follows it, in a message that is not an error (e.g. `{ name, code, message }`). */
function withoutParams(message: string): string {
	const at = message.search(/\nparams: /);
	return at === -1 ? message : message.slice(0, at);
}

export function serializeError(value: unknown): unknown {
	if (!isErrorLike(value)) {
		if (
			typeof value === 'object' &&
			value !== null &&
			typeof (value as Fields).message === 'string'
		)
			return { ...value, message: withoutParams((value as Fields).message as string) };
		return value;
	}
	const errors = chain(value);
	const query = errors.find(isFailedQuery);
	const database = errors.find(isDatabaseError);
	if (!query && !database) return pino.stdSerializers.err(value);

	// `sqlState`, not `code`: the logger redacts every field named `code` (one-time codes).
	const named: Fields = database ? { sqlState: database.code } : {};
	for (const field of NAMING_FIELDS)
		if (database && database[field] !== undefined && database[field] !== '')
			named[field] = database[field];
	const type = typeOf(value);
	const state = database ? ` (SQLSTATE ${database.code as string})` : '';
	const message = query
		? `Failed query${state}: ${query.query as string}`
		: `Database error${state}`;
	return { type, message, ...named, stack: `${type}: ${message}\n${frames(value.stack)}` };
}
