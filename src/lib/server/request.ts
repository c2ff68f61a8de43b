import type { RequestEvent } from '@sveltejs/kit';

/** Who is asking, for audit entries, sessions and throttling. */
export function clientMeta(event: Pick<RequestEvent, 'getClientAddress' | 'request'>) {
	let ip: string | undefined;
	try {
		ip = event.getClientAddress();
	} catch {
		ip = undefined;
	}
	return { ip, userAgent: event.request.headers.get('user-agent') ?? undefined };
}
