/** Which paths are reachable without a session, and before setup. */

/** Console paths that must work signed out. */
const PUBLIC_ADMIN = new Set(['/admin/login', '/admin/forgot', '/admin/reset']);

export function isPublicAdminPath(path: string) {
	return PUBLIC_ADMIN.has(path.replace(/\/$/, ''));
}

/** Paths that work before the first admin exists. */
export function isSetupExemptPath(path: string) {
	return (
		path === '/setup' ||
		path === '/healthz' ||
		path.startsWith('/_app/') ||
		path === '/favicon.svg' ||
		path === '/robots.txt'
	);
}

/** Only same-site relative paths are followed after sign-in (no open redirect). */
export function safeNextPath(next: string | null): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
		return '/admin';
	return next;
}
