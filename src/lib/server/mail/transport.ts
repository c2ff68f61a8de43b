/**
 * The one transport builder: nodemailer options from an SMTP server's settings. Production mail (pooled, cached
 * per server) and the configuration test (one connection, instrumented) both take their options from
 * createTransportOptions(), so a passing test means production mail goes the same way.
 *
 * - Unsecured: plain SMTP; STARTTLS is ignored even when offered (the admin chose no TLS; opportunistic TLS
 *   against an internal relay with a self-signed certificate would fail for no reason).
 * - STARTTLS: `requireTLS`, so a server that does not offer it fails instead of getting credentials in clear.
 * - SSL/TLS: TLS from the first byte (`secure`).
 * - Certificates are verified unless the admin switched that off; a CA certificate given on the server is
 *   trusted in addition to the system's roots, not instead of them.
 * - With authentication configured, AUTH is sent even if the server does not advertise it (`forceAuth`):
 *   skipping it silently would "pass" a test whose real mail is then refused.
 * - Microsoft 365: XOAUTH2 for the mailbox, the token from microsoft.ts through nodemailer's provisioning
 *   callback (asked again with `renew` after a refused token). nodemailer keeps the token until a minute
 *   before it expires, msal until five minutes before: one token request per token lifetime.
 *
 * Pools follow Exchange Online's limits (3 concurrent connections per mailbox, 4.3.2 beyond) and never
 * recycle connections by message count. A pool is keyed on the server's `updatedAt`: a changed record gets a
 * new pool, and the old one is closed once its messages are out (nodemailer #699, #1613).
 */
import { isIP } from 'node:net';
import tls from 'node:tls';
import nodemailer, { type Transporter } from 'nodemailer';
import type { SMTPTransportGetSocket, SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { SMTPPoolOptions, SMTPPoolSentMessageInfo } from 'nodemailer/lib/smtp-pool';
import type { XOAuth2ProvisionCallback } from 'nodemailer/lib/xoauth2';
import { acquireMicrosoftToken } from './microsoft.js';
import { createGraphTransport } from './graph.js';
import { routeSmtp } from './smtp-route.js';
import type { MicrosoftApp, SmtpServerSettings } from './types.js';

export const POOL_MAX_CONNECTIONS = 3;
/** nodemailer caches a provisioned token until this long before msal's expiry. */
const TOKEN_RENEW_MARGIN_MS = 60_000;
const DRAIN_WAIT_MS = 60_000;

const pools = new Map<string, PoolEntry>();

export type PooledTransport = Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

/** nodemailer options for `settings`: connection, TLS, timeouts, authentication. */
export function createTransportOptions(
	settings: SmtpServerSettings,
	options: TransportBuildOptions = {}
): SMTPTransportOptions {
	const timeoutMs = settings.timeoutSeconds * 1000;
	const route = routeSmtp(settings.host, settings.port);
	const tlsOptions: tls.ConnectionOptions = { rejectUnauthorized: settings.verifyTls };
	const extraCas = [settings.caPem, route.caPem].filter((pem): pem is string => Boolean(pem));
	if (extraCas.length) tlsOptions.ca = [...tls.rootCertificates, ...extraCas];
	if (!isIP(settings.host)) tlsOptions.servername = settings.host;
	if (options.onPeerCertificate) {
		const report = options.onPeerCertificate;
		tlsOptions.checkServerIdentity = (host, cert) => {
			const error = tls.checkServerIdentity(host, cert);
			report(cert, error ?? null);
			return error;
		};
	}
	return {
		host: route.host,
		port: route.port,
		secure: settings.security === 'tls',
		requireTLS: settings.security === 'starttls',
		ignoreTLS: settings.security === 'none',
		tls: tlsOptions,
		connectionTimeout: timeoutMs,
		greetingTimeout: timeoutMs,
		dnsTimeout: timeoutMs,
		// Idle time on an open connection: Exchange may take a while to accept DATA, so never less than a minute.
		socketTimeout: Math.max(60_000, timeoutMs * 4),
		auth: buildAuth(settings, options.provisionToken),
		forceAuth: settings.auth.type !== 'none',
		// Messages come from Postern's own templates: never read files or URLs on a message's behalf.
		disableFileAccess: true,
		disableUrlAccess: true,
		logger: options.logger ?? false,
		transactionLog: Boolean(options.logger),
		getSocket: options.getSocket
	};
}

/** The production provisioning callback: msal's cached token, a fresh one when nodemailer says `renew`. */
export function createTokenProvisioner(
	app: MicrosoftApp,
	timeoutMs: number
): XOAuth2ProvisionCallback {
	return (_user, renew, callback) => {
		acquireMicrosoftToken(app, { forceRefresh: renew, timeoutMs }).then(
			(token) =>
				callback(null, token.accessToken, token.expiresOn.getTime() - TOKEN_RENEW_MARGIN_MS),
			(error: Error) => callback(error)
		);
	};
}

/**
 * The pooled transport of a saved server, built on first use and rebuilt when `version` (the row's
 * updatedAt) changes. `load` is called only to build one. Resolves to null when the server does not exist.
 */
export async function getPooledTransport(
	serverId: string,
	version: Date,
	load: () => Promise<SmtpServerSettings | null>,
	maxConnections = POOL_MAX_CONNECTIONS
): Promise<PooledTransport | null> {
	const found = pools.get(serverId);
	// `>=`: a caller that read the row just before an edit must not replace the newer pool with an older one.
	if (found && found.version >= version.getTime()) return found.transporter;
	if (found) {
		pools.delete(serverId);
		void found.transporter.then((t) => t && closeWhenDrained(t));
	}
	const transporter = load().then((settings) =>
		settings ? createPooledTransport(settings, maxConnections) : null
	);
	pools.set(serverId, { version: version.getTime(), transporter });
	transporter.then(
		(t) => {
			if (!t && pools.get(serverId)?.transporter === transporter) pools.delete(serverId);
		},
		() => {
			if (pools.get(serverId)?.transporter === transporter) pools.delete(serverId);
		}
	);
	return transporter;
}

/** Closes the server's pool once its queued messages are out (the record changed or was deleted). */
export async function closeServerTransport(serverId: string): Promise<void> {
	const found = pools.get(serverId);
	if (!found) return;
	pools.delete(serverId);
	const transporter = await found.transporter.catch(() => null);
	if (transporter) closeWhenDrained(transporter);
}

/** Closes every pool now (shutdown). */
export async function closeAllTransports(): Promise<void> {
	const entries = [...pools.values()];
	pools.clear();
	for (const entry of entries) (await entry.transporter.catch(() => null))?.close();
}

/** How many pools are open (tests, metrics). */
export function countPooledTransports(): number {
	return pools.size;
}

function createPooledTransport(
	settings: SmtpServerSettings,
	maxConnections: number
): PooledTransport {
	const defaults = {
		from: { name: settings.fromName || 'Postern', address: settings.fromAddress }
	};
	// Microsoft Graph: no connection to pool; the queue's group still caps messages in flight per server
	if (settings.auth.type === 'graph')
		return nodemailer.createTransport(
			createGraphTransport(settings.auth, settings.timeoutSeconds * 1000),
			defaults
		) as unknown as PooledTransport;
	const options: SMTPPoolOptions = {
		// No nodemailer logger: callers log the failures they get (one line per failure, with their context),
		// and the transaction log is the configuration test's alone.
		...createTransportOptions(settings),
		pool: true,
		maxConnections,
		maxMessages: Infinity
	};
	return nodemailer.createTransport(options as SMTPPoolOptions & { pool: true }, defaults);
}

function buildAuth(
	settings: SmtpServerSettings,
	provisionToken: XOAuth2ProvisionCallback | undefined
): SMTPTransportOptions['auth'] {
	const auth = settings.auth;
	if (auth.type === 'basic') return { user: auth.username, pass: auth.password };
	if (auth.type === 'microsoft')
		return {
			type: 'OAuth2',
			user: auth.mailbox,
			provisionCallback:
				provisionToken ?? createTokenProvisioner(auth, settings.timeoutSeconds * 1000)
		};
	return undefined;
}

function closeWhenDrained(transporter: Transporter) {
	const pool = (transporter as unknown as { transporter?: { pendingCount?: () => number } })
		.transporter;
	const pending = () => pool?.pendingCount?.() ?? 0;
	if (pending() === 0) return transporter.close();
	const started = Date.now();
	const timer = setInterval(() => {
		if (pending() === 0 || Date.now() - started > DRAIN_WAIT_MS) {
			clearInterval(timer);
			transporter.close();
		}
	}, 250);
	timer.unref();
}

export interface TransportBuildOptions {
	/** Replaces the production token provisioner (the configuration test checks the token it gets). */
	provisionToken?: XOAuth2ProvisionCallback;
	/** A bunyan-style logger; with one, the SMTP dialogue is logged too (transactionLog). */
	logger?: SMTPTransportOptions['logger'];
	/** Opens the TCP connection instead of nodemailer (the configuration test times DNS and connect). */
	getSocket?: SMTPTransportGetSocket;
	/** Called with the server's certificate once its chain is verified, with the host name check's result. */
	onPeerCertificate?: (cert: tls.PeerCertificate, error: Error | null) => void;
}

interface PoolEntry {
	version: number;
	transporter: Promise<PooledTransport | null>;
}
