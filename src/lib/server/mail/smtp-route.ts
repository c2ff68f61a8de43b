/**
 * Where a connection to an SMTP server really goes. In production: to the host and port the server record
 * names, always (no router is installed). Mock mode (`npm run dev:mock`) installs a router that sends
 * Microsoft's SMTP hosts to the embedded mail sink, because the site settings' Microsoft method is fixed to
 * Exchange Online's submission endpoint (smtp.office365.com:587 in the global cloud) and mock mode reaches
 * nothing outside the machine.
 *
 * A route changes only where the TCP connection is opened: TLS still checks the certificate against the
 * server's own name (the sink's dev certificate carries Microsoft's host names), and the route's CA is
 * trusted in addition to the server's.
 */
export interface SmtpRoute {
	host: string;
	port: number;
	/** A CA certificate (PEM) to trust for this route, on top of the server's own. */
	caPem?: string;
	/** Said in the configuration test's transcript, so nobody mistakes the sink for Microsoft. */
	note?: string;
}

type SmtpRouter = (host: string, port: number) => SmtpRoute | null;

let router: SmtpRouter | null = null;

/** Installs (or, with null, removes) the router. Mock mode only. */
export function useSmtpRouter(next: SmtpRouter | null): void {
	router = next;
}

/** The route for a server's host and port: the router's answer, or the server itself. */
export function routeSmtp(host: string, port: number): SmtpRoute {
	return router?.(host.toLowerCase(), port) ?? { host, port };
}
