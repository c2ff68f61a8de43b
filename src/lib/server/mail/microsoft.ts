/**
 * Microsoft 365 access tokens for SMTP (XOAUTH2) and for Microsoft Graph (`sendMail`, graph.ts),
 * client-credentials grant, through msal-node.
 *
 * One ConfidentialClientApplication per (cloud, tenant, client, secret), kept in a small LRU map, so msal's
 * in-memory token cache survives between messages and transports: one token request per token lifetime
 * (msal renews 5 minutes before expiry), not one per message.
 *
 * Only the token endpoint is ever called: the authority's metadata (normally fetched from
 * /.well-known/openid-configuration) and the cloud-discovery metadata (normally from the instance-discovery
 * endpoint) are handed to msal here, built from the cloud's known host. That also keeps tests and mock mode to
 * a single mocked endpoint.
 */
import { createHash } from 'node:crypto';
import {
	ConfidentialClientApplication,
	LogLevel,
	type INetworkModule,
	type NetworkRequestOptions,
	type NetworkResponse
} from '@azure/msal-node';
import type { MicrosoftApp, MicrosoftCloud } from './types.js';
import { MICROSOFT_SMTP_HOSTS } from '../../schemas/smtp-server.js';
import {
	MICROSOFT_GRAPH_CLOUDS,
	MICROSOFT_TOKEN_CLOUDS,
	buildAuthorityUrl as authorityOf
} from '../../microsoft-endpoints.js';

/** Exchange Online's well-known application ID: some tokens name it as their audience instead of the URL. */
const EXCHANGE_ONLINE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
export const SEND_AS_APP_ROLE = 'SMTP.SendAsApp';
/** Microsoft Graph's well-known application ID, which some tokens name as their audience. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The Graph application permission `sendMail` needs. */
export const GRAPH_MAIL_SEND_ROLE = 'Mail.Send';
const MAX_CLIENTS = 32;
/** A token request that takes longer than this is abandoned by the network client (msal has no POST timeout). */
const NETWORK_TIMEOUT_MS = 60_000;

const CLOUDS: Record<MicrosoftCloud, CloudEndpoints> = {
	global: {
		...MICROSOFT_TOKEN_CLOUDS.global,
		audiences: ['https://outlook.office365.com', 'https://outlook.office.com'],
		smtpHost: MICROSOFT_SMTP_HOSTS.global,
		exchangeEnvironment: 'O365Default'
	},
	usgov: {
		...MICROSOFT_TOKEN_CLOUDS.usgov,
		audiences: ['https://outlook.office365.us'],
		smtpHost: MICROSOFT_SMTP_HOSTS.usgov,
		exchangeEnvironment: 'O365USGovGCCHigh'
	},
	usgovdod: {
		...MICROSOFT_TOKEN_CLOUDS.usgovdod,
		audiences: ['https://outlook-dod.office365.us', 'https://webmail.apps.mil'],
		smtpHost: MICROSOFT_SMTP_HOSTS.usgovdod,
		exchangeEnvironment: 'O365USGovDoD'
	},
	china: {
		...MICROSOFT_TOKEN_CLOUDS.china,
		audiences: ['https://partner.outlook.cn'],
		smtpHost: MICROSOFT_SMTP_HOSTS.china,
		exchangeEnvironment: 'O365China'
	}
};

const clients = new Map<string, ConfidentialClientApplication>();
/** How token requests reach the network: global fetch, unless mock mode or a test routes them elsewhere. */
let fetchMicrosoft: typeof fetch = (input, init) => fetch(input, init);

/** The fetch that reaches Microsoft (tokens here, Graph in graph.ts): the network, or the mock's. */
export function microsoftFetch(): typeof fetch {
	return fetchMicrosoft;
}

/** The endpoints of a Microsoft cloud: authority host, Exchange scope and audiences, SMTP host. */
export function getCloudEndpoints(cloud: MicrosoftCloud): CloudEndpoints {
	return CLOUDS[cloud];
}

/** `https://<authority host>/<tenant>`: where the client-credentials grant goes. */
export function buildAuthorityUrl(app: Pick<MicrosoftApp, 'cloud' | 'tenantId'>): string {
	return authorityOf(app.cloud, app.tenantId);
}

/**
 * An access token for Exchange Online SMTP. From msal's cache while it is fresh, unless `forceRefresh`
 * (a failed XOAUTH2 login asks for a new one; a configuration test always checks a fresh one).
 * Rejects with msal's error (ServerError with the AADSTS number in `errorNo`), or with code 'ETOKENTIMEOUT'.
 */
export async function acquireMicrosoftToken(
	app: MicrosoftApp,
	options: {
		forceRefresh?: boolean;
		timeoutMs?: number;
		/** Whose token: Exchange Online's (SMTP, the default) or Microsoft Graph's. */
		resource?: 'exchange' | 'graph';
	} = {}
): Promise<MicrosoftToken> {
	const client = clientFor(app);
	const request = client.acquireTokenByClientCredential({
		scopes: [
			options.resource === 'graph'
				? MICROSOFT_GRAPH_CLOUDS[app.cloud].scope
				: CLOUDS[app.cloud].scope
		],
		skipCache: options.forceRefresh ?? false
	});
	const result = await withTimeout(request, options.timeoutMs ?? 15_000);
	if (!result?.accessToken)
		throw Object.assign(new Error('The token endpoint returned no access token'), {
			code: 'ETOKENEMPTY'
		});
	return {
		accessToken: result.accessToken,
		expiresOn: result.expiresOn ?? new Date(Date.now() + 5 * 60_000),
		fromCache: result.fromCache
	};
}

/** The claims of an access token, read without checking its signature (Exchange does that); null if unreadable. */
export function decodeTokenClaims(accessToken: string): TokenClaims | null {
	const payload = accessToken.split('.')[1];
	if (!payload) return null;
	try {
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
			string,
			unknown
		>;
		const aud = Array.isArray(claims.aud)
			? claims.aud.map(String)
			: claims.aud
				? [String(claims.aud)]
				: [];
		const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
		return {
			aud,
			roles,
			tid: typeof claims.tid === 'string' ? claims.tid : null,
			appId:
				typeof claims.appid === 'string'
					? claims.appid
					: typeof claims.azp === 'string'
						? claims.azp
						: null,
			expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null
		};
	} catch {
		return null;
	}
}

/** Is this a token Exchange Online of `cloud` will take for SMTP: right audience, SMTP.SendAsApp role? */
export function checkTokenClaims(claims: TokenClaims | null, cloud: MicrosoftCloud): ClaimsCheck {
	if (!claims) return { ok: false, problem: 'unreadable' };
	const accepted = [...CLOUDS[cloud].audiences, EXCHANGE_ONLINE_APP_ID].map((a) => a.toLowerCase());
	if (!claims.aud.some((a) => accepted.includes(a.replace(/\/$/, '').toLowerCase())))
		return { ok: false, problem: 'wrong-audience' };
	if (!claims.roles.includes(SEND_AS_APP_ROLE)) return { ok: false, problem: 'missing-role' };
	return { ok: true };
}

/** Is this a token Microsoft Graph of `cloud` takes for `sendMail`: Graph's audience, the Mail.Send role? */
export function checkGraphTokenClaims(
	claims: TokenClaims | null,
	cloud: MicrosoftCloud
): ClaimsCheck {
	if (!claims) return { ok: false, problem: 'unreadable' };
	const accepted = [
		MICROSOFT_GRAPH_CLOUDS[cloud].scope.slice(0, -'/.default'.length),
		GRAPH_APP_ID
	].map((a) => a.toLowerCase());
	if (!claims.aud.some((a) => accepted.includes(a.replace(/\/$/, '').toLowerCase())))
		return { ok: false, problem: 'wrong-audience' };
	if (!claims.roles.includes(GRAPH_MAIL_SEND_ROLE)) return { ok: false, problem: 'missing-role' };
	return { ok: true };
}

/**
 * Routes token requests through `impl` (mock mode and tests: the msw handlers of src/mocks/microsoft.ts, see
 * createMicrosoftMockFetch), or back to the network without an argument. A seam rather than msw's setupServer:
 * msw 3 intercepts every socket of the process to catch HTTP, which changes how SMTP connections fail.
 */
export function useMicrosoftFetch(impl?: typeof fetch) {
	fetchMicrosoft = impl ?? ((input, init) => fetch(input, init));
}

/** Forgets every application and its cached tokens (tests; a rotated secret makes a new key anyway). */
export function clearMicrosoftClients() {
	clients.clear();
}

function clientFor(app: MicrosoftApp): ConfidentialClientApplication {
	const key = createHash('sha256')
		.update(
			[app.cloud, app.tenantId.toLowerCase(), app.clientId.toLowerCase(), app.clientSecret].join(
				'\n'
			)
		)
		.digest('hex');
	const found = clients.get(key);
	if (found) {
		clients.delete(key);
		clients.set(key, found);
		return found;
	}
	const host = CLOUDS[app.cloud].authorityHost;
	const authority = buildAuthorityUrl(app);
	const client = new ConfidentialClientApplication({
		auth: {
			clientId: app.clientId,
			clientSecret: app.clientSecret,
			authority,
			knownAuthorities: [host],
			authorityMetadata: JSON.stringify({
				token_endpoint: `${authority}/oauth2/v2.0/token`,
				authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
				end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
				issuer: `${authority}/v2.0`,
				jwks_uri: `https://${host}/common/discovery/v2.0/keys`
			}),
			cloudDiscoveryMetadata: JSON.stringify({
				tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
				'api-version': '1.1',
				metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }]
			})
		},
		system: {
			networkClient,
			loggerOptions: {
				logLevel: LogLevel.Error,
				piiLoggingEnabled: false,
				loggerCallback: () => {}
			}
		}
	});
	clients.set(key, client);
	if (clients.size > MAX_CLIENTS) clients.delete(clients.keys().next().value!);
	return client;
}

/** msal's own client has no timeout on POST: this one gives up after NETWORK_TIMEOUT_MS. */
const networkClient: INetworkModule = {
	sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
	sendPostRequestAsync: (url, options) => send(url, 'POST', options)
};

async function send<T>(
	url: string,
	method: 'GET' | 'POST',
	options?: NetworkRequestOptions,
	timeout?: number
): Promise<NetworkResponse<T>> {
	const response = await fetchMicrosoft(url, {
		method,
		headers: options?.headers,
		body: method === 'POST' ? (options?.body ?? '') : undefined,
		signal: AbortSignal.timeout(timeout ?? NETWORK_TIMEOUT_MS)
	});
	const headers: Record<string, string> = {};
	response.headers.forEach((value, name) => (headers[name] = value));
	return { headers, body: (await response.json()) as T, status: response.status };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() =>
				reject(
					Object.assign(new Error(`The token endpoint did not answer within ${ms} ms`), {
						code: 'ETOKENTIMEOUT'
					})
				),
			ms
		);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface CloudEndpoints {
	authorityHost: string;
	/** The scope of the client-credentials request: Exchange Online's resource + /.default. */
	scope: string;
	/** Audiences an Exchange Online token of this cloud carries. */
	audiences: string[];
	/** The SMTP AUTH submission host of this cloud (STARTTLS, port 587). */
	smtpHost: string;
	/** Connect-ExchangeOnline -ExchangeEnvironmentName value. */
	exchangeEnvironment: string;
}

export interface MicrosoftToken {
	accessToken: string;
	expiresOn: Date;
	fromCache: boolean;
}

export interface TokenClaims {
	aud: string[];
	roles: string[];
	tid: string | null;
	appId: string | null;
	expiresAt: Date | null;
}

export type ClaimsCheck =
	{ ok: true } | { ok: false; problem: 'wrong-audience' | 'missing-role' | 'unreadable' };
