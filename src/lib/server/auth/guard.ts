/** Where a signed-in admin may be sent after sign-in (access to routes is decided in access.ts). */

/**
 * A control character (C0, DEL, C1) or a backslash anywhere: browsers drop tabs and line breaks from URLs and
 * read a backslash as a slash, so `/\t/evil.example` or `/\\evil.example` would become `//evil.example`.
 */
function hasUnsafeCharacter(text: string) {
	for (const char of text) {
		const code = char.codePointAt(0)!;
		if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || char === '\\') return true;
	}
	return false;
}
/** Any origin will do to resolve a relative path against. */
const SAME_ORIGIN = 'http://postern.invalid';

/**
 * Only same-site relative paths are followed after sign-in (no open redirect): one leading slash, then no
 * second one, no backslash and no control character anywhere. Anything else goes to /admin (a 500 otherwise:
 * SvelteKit refuses a redirect that resolves to another origin).
 */
export function safeNextPath(next: string | null): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || hasUnsafeCharacter(next))
		return '/admin';
	// And whatever else a URL parser might make of it: it must stay on this origin.
	return new URL(next, SAME_ORIGIN).origin === SAME_ORIGIN ? next : '/admin';
}
