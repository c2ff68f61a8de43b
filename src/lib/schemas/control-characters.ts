/**
 * Control characters no text field accepts: a NUL makes PostgreSQL refuse the whole query (a 500), and the
 * others hide text or split it where a reader does not expect it (logs, mail headers, what an admin sees).
 * Refused: C0 U+0000-U+001F and DEL U+007F, NEL U+0085, the line and paragraph separators U+2028/U+2029,
 * and lone surrogates (half of a UTF-16 pair, not a character; with the `u` flag a complete pair is one code
 * point and does not match). Multi-line text (a textarea) keeps tab, CR and LF.
 */
/* eslint-disable no-control-regex -- matching control characters is the point of these patterns */
const IN_LINE = /[\u0000-\u001f\u007f\u0085\u2028\u2029]|[\ud800-\udfff]/u;
const IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0085\u2028\u2029]|[\ud800-\udfff]/u;
/* eslint-enable no-control-regex */

/** True when the value holds a character no one-line field accepts (tab, CR and LF included). */
export function hasControlCharacter(value: string): boolean {
	return IN_LINE.test(value);
}

/** True when multi-line text holds a control character other than tab, CR and LF. */
export function hasControlCharacterInText(value: string): boolean {
	return IN_TEXT.test(value);
}

export const CONTROL_CHARACTER_MESSAGE = (label: string) =>
	`${label} contains a control character (an invisible character such as NUL): remove it.`;
