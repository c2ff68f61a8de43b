/**
 * Which request paths belong to mock mode's routes (src/routes/dev/). Production builds route them nowhere
 * (src/hooks.ts), so this must see a path the way SvelteKit matches it: percent-decoded (SvelteKit's own
 * decode_pathname: %25 stays escaped), or `/%64ev/faults` would slip past while still reaching `/dev/faults`.
 *
 * Not under src/lib/dev/: the build empties that folder (postern:strip-dev-only-code), and this check must ship.
 */
const DEV_ONLY = /^\/dev(?:\/|$)/;

export function isDevOnlyPath(pathname: string): boolean {
	let decoded: string;
	try {
		decoded = pathname.split('%25').map(decodeURI).join('%25');
	} catch {
		// SvelteKit cannot decode it either and answers without matching any route.
		return false;
	}
	return DEV_ONLY.test(decoded);
}
