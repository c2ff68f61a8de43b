/**
 * When /setup may do without the setup code: only when POSTERN_SETUP_TRUST_LOOPBACK is on and the browser is
 * known to be on this machine. The client address comes from server.js: the socket's, or with
 * POSTERN_TRUST_PROXY the right-most X-Forwarded-For entry. A reverse proxy on this machine connects from
 * loopback for every visitor, so a request that shows signs of having been relayed never skips the code.
 */

/** 127.0.0.0/8, ::1 and their IPv4-mapped IPv6 form. */
export function isLoopbackAddress(address: string | undefined): boolean {
	if (!address) return false;
	const ip = address.replace(/^::ffff:/i, '');
	return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

export interface SetupAccessFacts {
	/** POSTERN_SETUP_TRUST_LOOPBACK */
	trustLoopback: boolean;
	/** POSTERN_TRUST_PROXY */
	trustProxy: boolean;
	/** POSTERN_PUBLIC_URL */
	publicUrl: string | undefined;
	/** What event.getClientAddress() said (server.js decided it). */
	clientAddress: string | undefined;
	headers: Headers;
}

export function maySkipSetupCode(facts: SetupAccessFacts): boolean {
	if (!facts.trustLoopback || !isLoopbackAddress(facts.clientAddress)) return false;
	if (facts.trustProxy)
		// The address is the proxy's report only when it sent one; otherwise it is the proxy's own socket.
		return facts.headers.has('x-forwarded-for');
	// Without a trusted proxy the address is the socket's: a public URL or forwarding headers mean a proxy
	// (probably on this machine) stands between us and the browser.
	if (facts.publicUrl) return false;
	return !FORWARDING_HEADERS.some((name) => facts.headers.has(name));
}
