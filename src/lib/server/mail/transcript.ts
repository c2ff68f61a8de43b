/**
 * The configuration test's SMTP transcript: a bunyan-style logger handed to nodemailer (with its transaction
 * log on) turns what nodemailer sends and receives into lines, with every credential redacted as it arrives:
 *
 * - `AUTH <mechanism> <initial response>` keeps the mechanism only, and every client line of the exchange
 *   that follows (base64 username, password, CRAM-MD5 answer, XOAUTH2 token) becomes "[redacted]";
 * - any known secret (password, client secret, access token), its base64 form, and anything shaped like a
 *   bearer token or a JWT is replaced, on both sides, wherever it appears.
 *
 * redactSecretsDeep() applies the same replacement to a whole result before it leaves the server, as the last
 * line of defence.
 *
 * A peer whose first line is not an SMTP reply is another kind of service (SSH, a web server ...): of what it
 * sends only the first 80 printable characters of that line are kept, never the rest. A web server's next
 * lines are its headers, and those carry cookies and other things that are not Postern's to show.
 */
import { format } from 'node:util';
import type { TranscriptLine } from './types.js';

const REDACTED = '[redacted]';
const MAX_LINES = 400;
const MAX_LINE_LENGTH = 2000;
/** How much of a non-SMTP greeting is shown: enough to recognise the service, too little to carry a header. */
const FOREIGN_GREETING_CHARS = 80;
/** An SMTP reply line: three digits, then a space, a hyphen or nothing (RFC 5321 4.2). */
const SMTP_REPLY = /^\d{3}(?:[ -]|$)/;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/** nodemailer's logger interface, as far as the recorder implements it. */
export interface RecorderLogger {
	trace: LogFn;
	debug: LogFn;
	info: LogFn;
	warn: LogFn;
	error: LogFn;
	fatal: LogFn;
}

type LogFn = (entry: Record<string, unknown>, message?: string, ...args: unknown[]) => void;

/** A line or event as the configuration test sees it, in order, with the time it arrived. */
export interface RecordedEvent {
	kind: 'client' | 'server' | 'event';
	/** Redacted text (empty for events). */
	text: string;
	/** nodemailer's structured fields (tnx, action, remoteAddress ...), for events. */
	data: Record<string, unknown>;
	at: number;
}

export interface TranscriptRecorder {
	logger: RecorderLogger;
	/** Adds an explanatory line of Postern's own ("Resolved ...", "Token for ..."). */
	note(text: string): void;
	/** Adds a secret to hide from now on (an access token once it is known). */
	addSecret(secret: string | null | undefined): void;
	/** Called for each line and event as it arrives. */
	onEvent(listener: (event: RecordedEvent) => void): void;
	lines(): TranscriptLine[];
	secrets(): string[];
	/** The shown part of the peer's first line when it is not an SMTP reply; undefined for an SMTP peer. */
	foreignGreeting(): string | undefined;
}

export function createTranscriptRecorder(initialSecrets: (string | null | undefined)[] = []) {
	const lines: TranscriptLine[] = [];
	const listeners: ((event: RecordedEvent) => void)[] = [];
	const known = new Set<string>();
	let inAuth = false;
	let greeted = false;
	let foreignGreeting: string | undefined;

	/** Set when a secret is learnt after lines were recorded: lines() then redacts them again. */
	let lateSecret = false;
	const addSecret = (secret: string | null | undefined) => {
		if (!secret || secret.length < 3) return;
		if (lines.length) lateSecret = true;
		known.add(secret);
		known.add(Buffer.from(secret, 'utf8').toString('base64'));
	};
	initialSecrets.forEach(addSecret);

	const push = (line: TranscriptLine) => {
		if (lines.length < MAX_LINES) lines.push(line);
		else if (lines.length === MAX_LINES)
			lines.push({ dir: 'info', text: '… transcript cut short' });
	};
	const emit = (event: RecordedEvent) => listeners.forEach((l) => l(event));

	const clientLine = (raw: string, at: number) => {
		let text = raw;
		const auth = /^AUTH\s+(\S+)(\s+.*)?$/i.exec(raw);
		if (auth) {
			inAuth = true;
			text = auth[2] ? `AUTH ${auth[1]} ${REDACTED}` : `AUTH ${auth[1]}`;
		} else if (inAuth) text = REDACTED;
		text = redactText(text, known);
		push({ dir: 'client', text });
		emit({ kind: 'client', text, data: {}, at });
	};

	const serverLine = (raw: string, at: number) => {
		for (const part of raw.split(/\r?\n/)) {
			if (foreignGreeting !== undefined) return;
			if (!greeted) {
				greeted = true;
				if (!SMTP_REPLY.test(part)) {
					foreignGreeting = redactText(firstPrintable(part, FOREIGN_GREETING_CHARS), known);
					push({ dir: 'server', text: foreignGreeting });
					push({
						dir: 'info',
						text: 'Not an SMTP greeting: nothing more of what it sent is shown'
					});
					emit({ kind: 'server', text: foreignGreeting, data: {}, at });
					return;
				}
			}
			const text = redactText(part, known);
			// The exchange ends with the server's verdict; 334 means it wants another client line.
			if (inAuth && /^\d{3}[ ]/.test(part) && !part.startsWith('334')) inAuth = false;
			push({ dir: 'server', text });
			emit({ kind: 'server', text, data: {}, at });
		}
	};

	const log =
		(level: string): LogFn =>
		(entry, message, ...args) => {
			const at = performance.now();
			const tnx = entry?.tnx;
			const text = () =>
				truncate(message === undefined ? '' : args.length ? format(message, ...args) : message);
			if (tnx === 'client') return clientLine(text(), at);
			if (tnx === 'server') return serverLine(text(), at);
			// nodemailer's own events: not shown (Postern writes its own notes); passed on by their fields only.
			if (listeners.length) emit({ kind: 'event', text: '', data: { ...entry, level }, at });
		};

	const recorder: TranscriptRecorder = {
		logger: {
			trace: log('trace'),
			debug: log('debug'),
			info: log('info'),
			warn: log('warn'),
			error: log('error'),
			fatal: log('fatal')
		},
		note: (text) => push({ dir: 'info', text: redactText(truncate(text), known) }),
		addSecret,
		onEvent: (listener) => listeners.push(listener),
		// Lines were redacted as they arrived; again only if a secret (a token) was learnt since.
		lines: () =>
			lines.map((l) => ({ ...l, text: lateSecret ? redactText(l.text, known) : l.text })),
		secrets: () => [...known],
		foreignGreeting: () => foreignGreeting
	};
	return recorder;
}

/** Replaces known secrets, bearer tokens and JWT-shaped strings in `text`. */
export function redactText(text: string, secrets: Iterable<string> = []): string {
	let out = text;
	// Cheap checks first: most lines hold neither.
	if (/bearer/i.test(out)) out = out.replace(BEARER, `$1${REDACTED}`);
	if (out.includes('eyJ')) out = out.replace(JWT, REDACTED);
	for (const secret of secrets)
		if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED);
	return out;
}

/** A copy of `value` with redactText() applied to every string in it (keys included). */
export function redactSecretsDeep<T>(value: T, secrets: Iterable<string>): T {
	const list = [...secrets].filter(Boolean);
	const walk = (v: unknown): unknown => {
		if (typeof v === 'string') return redactText(v, list);
		if (Array.isArray(v)) return v.map(walk);
		if (v && typeof v === 'object' && !(v instanceof Date))
			return Object.fromEntries(Object.entries(v).map(([k, x]) => [redactText(k, list), walk(x)]));
		return v;
	};
	return walk(value) as T;
}

/** The first `max` printable characters of `text`: control and format characters (Unicode class C) dropped. */
export function firstPrintable(text: string, max: number): string {
	return Array.from(text.replace(/\p{C}/gu, '')).slice(0, max).join('');
}

function truncate(text: string) {
	return text.length > MAX_LINE_LENGTH ? `${text.slice(0, MAX_LINE_LENGTH)}…` : text;
}
