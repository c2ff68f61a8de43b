/**
 * Field rules shared by every form. Nothing here trims passwords or secrets: they keep every character typed
 * (ASVS 6.2.x), except control characters, which no field accepts.
 */
import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN } from '../password-policy.js';
import {
	CONTROL_CHARACTER_MESSAGE,
	hasControlCharacter,
	hasControlCharacterInText
} from './control-characters.js';

const LINE_BREAK = /[\r\n]/;
const LINE_BREAK_ALL = /[\r\n]/g;

export { CONTROL_CHARACTER_MESSAGE, hasControlCharacter };

/**
 * A field's label inside a sentence ("Enter the display name."): lower case, except words written in capitals
 * (the vendor's "UI Admin Username" stays "UI Admin Username", not "ui admin username").
 */
export function inSentence(label: string) {
	const words = label.split(' ');
	if (words.some((w) => w.length > 1 && w === w.toUpperCase() && /[A-Z]/.test(w))) return label;
	return label.toLowerCase();
}

/**
 * One line of text, trimmed. CR and LF keep their own message (they would let a value smuggle extra mail
 * headers or log lines); every other control character gets the control-character message.
 * `missing` is the message for a field absent from the post (superforms reads an empty field of a union's
 * branch as absent).
 */
export function singleLine(label: string, missing = `Enter the ${inSentence(label)}.`) {
	return z
		.string({ error: missing })
		.trim()
		.refine((v) => !LINE_BREAK.test(v), `${label} must be on one line.`)
		.refine(
			(v) => !hasControlCharacter(v.replace(LINE_BREAK_ALL, '')),
			CONTROL_CHARACTER_MESSAGE(label)
		);
}

/** Text from a textarea: tab, CR and LF allowed, no other control character. Not trimmed here. */
export function multiLine(label: string) {
	return z.string().refine((v) => !hasControlCharacterInText(v), CONTROL_CHARACTER_MESSAGE(label));
}

/** A password or secret as typed: never trimmed, any character but a control character. */
export function secretText(label: string, max: number) {
	return z
		.string()
		.max(max, `${label} must be at most ${max} characters.`)
		.refine((v) => !hasControlCharacter(v), CONTROL_CHARACTER_MESSAGE(label));
}

/** A console or local account name. A control character gets its own message first: it is the likely slip. */
export const username = (label = 'Username') =>
	z
		.string()
		.refine((v) => !hasControlCharacter(v), CONTROL_CHARACTER_MESSAGE(label))
		.min(1, `Enter the ${inSentence(label)}.`)
		.max(64, `${label} must be at most 64 characters.`)
		.regex(/^[A-Za-z0-9._@-]+$/, `${label} may use letters, digits and . _ @ - only.`);

/** Shape-only password rule for the client; the server adds the common-password check. */
export const newPassword = z
	.string()
	.min(12, 'Use at least 12 characters.')
	.max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
	.refine((v) => !hasControlCharacter(v), CONTROL_CHARACTER_MESSAGE('Password'));

/** A new password, or blank to keep the current one. */
export const newPasswordOrBlank = z
	.string()
	.refine((v) => v === '' || v.length >= PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
	.max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
	.refine((v) => !hasControlCharacter(v), CONTROL_CHARACTER_MESSAGE('Password'));

/** A password being checked (sign-in, current password): any length up to the maximum. */
export const enteredPassword = z
	.string()
	.min(1, 'Enter the password.')
	.max(PASSWORD_MAX, `Passwords are at most ${PASSWORD_MAX} characters.`)
	.refine((v) => !hasControlCharacter(v), CONTROL_CHARACTER_MESSAGE('Password'));

/** A password typed again to confirm it: compared with the first, no control character either. */
export const confirmation = secretText('Password', PASSWORD_MAX);

/** A plain decimal number: digits with an optional sign, fraction and exponent (JavaScript's own syntax). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A number field as a form posts it: text, read strictly. superforms would read an integer field with
 * parseInt, so `1e308` became 1 and `80abc` became 80; here a decimal number is read whole (so `1e308` meets
 * the range check and `1.5` the whole-number check) and anything else stays text, which `schema` refuses
 * with its own "enter the ..." message. Declaring the field as text in the JSON schema superforms builds
 * is what hands this reader the raw string. Numbers (from the browser's own validation) pass unchanged.
 */
export function strictNumber<T extends z.ZodType<number>>(schema: T) {
	return z
		.preprocess((value) => {
			if (typeof value !== 'string') return value;
			const text = value.trim();
			return DECIMAL.test(text) ? Number(text) : value;
		}, schema)
		.meta({ type: 'string' });
}

/** A record id or a Microsoft GUID: 8-4-4-4-12 hexadecimal digits, either case. The one spelling of it. */
export const UUID_PATTERN =
	/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
