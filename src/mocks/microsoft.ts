/**
 * The Microsoft identity platform, mocked (msw `http` handlers): the v2.0 token endpoint of the global cloud and
 * the national clouds, answering the client-credentials grant like Entra ID does. Used by the tests and by mock
 * mode (`npm run dev:mock`), so it imports no test framework.
 *
 * A successful request gets a JWT-shaped access token (not signed: nothing here can sign like Microsoft) whose
 * claims are what Exchange Online checks: `aud` (the cloud's Exchange resource), `roles` (SMTP.SendAsApp),
 * `tid`, `appid`, `exp`. Issued tokens are remembered, so an XOAUTH2 test peer can accept exactly those
 * (isMockIssuedToken). A scenario switch makes the endpoint fail the ways the real one does: each AADSTS error
 * with a real-looking JSON body, a token without the role, a token for another audience, a slow answer.
 *
 * Microsoft Graph's `sendMail` is mocked too, for every national cloud: it takes only a token this mock issued
 * for Graph with the Mail.Send role, decodes the base64 MIME it is posted, keeps it (listGraphMessages) and tells
 * listeners (mock mode puts it in the dev mailbox). Its own scenario switch answers the ways Graph refuses:
 * 403 ErrorAccessDenied, 429 with Retry-After, 503, an unknown mailbox, a mailbox without REST.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { delay, getResponse, http, HttpResponse } from 'msw';
import { MICROSOFT_GRAPH_CLOUDS } from '../lib/microsoft-endpoints.js';

export const MICROSOFT_LOGIN_HOSTS = [
	'login.microsoftonline.com',
	'login.microsoftonline.us',
	'login.chinacloudapi.cn',
	'login.partner.microsoftonline.cn'
] as const;

export const MICROSOFT_SCENARIOS = [
	{ id: 'success', label: 'Token issued (SMTP.SendAsApp)' },
	{ id: 'invalid-secret', label: 'AADSTS7000215 invalid client secret (secret ID pasted)' },
	{ id: 'secret-expired', label: 'AADSTS7000222 client secret expired' },
	{ id: 'app-not-found', label: 'AADSTS700016 application not found in the tenant' },
	{ id: 'tenant-not-found', label: 'AADSTS90002 tenant not found' },
	{ id: 'invalid-scope', label: 'AADSTS70011 invalid scope' },
	{ id: 'scope-not-default', label: 'AADSTS1002012 scope without /.default' },
	{ id: 'no-role', label: 'Token without the SMTP.SendAsApp role' },
	{ id: 'wrong-audience', label: 'Token for Microsoft Graph, not Exchange Online' },
	{ id: 'slow', label: 'Token endpoint answers slowly' }
] as const;

export type MicrosoftScenario = (typeof MICROSOFT_SCENARIOS)[number]['id'];

export const GRAPH_SCENARIOS = [
	{ id: 'accepted', label: 'sendMail accepted (202)' },
	{ id: 'access-denied', label: '403 ErrorAccessDenied (no Mail.Send, or outside the RBAC scope)' },
	{ id: 'throttled', label: '429 throttled, with Retry-After' },
	{ id: 'unavailable', label: '503 service unavailable' },
	{ id: 'mailbox-not-found', label: '404 ErrorInvalidUser (no such mailbox)' },
	{ id: 'mailbox-not-enabled', label: 'MailboxNotEnabledForRESTAPI' }
] as const;

export type GraphScenario = (typeof GRAPH_SCENARIOS)[number]['id'];

export const GRAPH_HOSTS = Object.values(MICROSOFT_GRAPH_CLOUDS).map((cloud) => cloud.host);

const DEFAULT_SLOW_MS = 20_000;
const MAX_REMEMBERED_TOKENS = 1000;

let scenario: MicrosoftScenario = 'success';
let slowMs = DEFAULT_SLOW_MS;
let expiresIn = 3599;
const issued = new Set<string>();
const requests: MockMicrosoftRequest[] = [];
let graphScenario: GraphScenario = 'accepted';
let graphRetryAfterSeconds = 2;
const graphMessages: MockGraphMessage[] = [];
const graphListeners = new Set<(message: MockGraphMessage) => void>();
const MAX_GRAPH_MESSAGES = 1000;

/** Chooses how the endpoint answers from now on. */
export function setMicrosoftScenario(
	next: MicrosoftScenario | string,
	options: { delayMs?: number; expiresInSeconds?: number } = {}
) {
	if (!MICROSOFT_SCENARIOS.some((s) => s.id === next))
		throw new Error(`unknown Microsoft scenario "${next}"`);
	scenario = next as MicrosoftScenario;
	slowMs = options.delayMs ?? DEFAULT_SLOW_MS;
	expiresIn = options.expiresInSeconds ?? 3599;
}

export function getMicrosoftScenario(): MicrosoftScenario {
	return scenario;
}

/** Back to success, with no request, token or Graph message remembered. */
export function resetMicrosoftMock() {
	scenario = 'success';
	slowMs = DEFAULT_SLOW_MS;
	expiresIn = 3599;
	issued.clear();
	requests.length = 0;
	graphScenario = 'accepted';
	graphRetryAfterSeconds = 2;
	graphMessages.length = 0;
}

/** Chooses how Graph's sendMail answers from now on. */
export function setGraphScenario(
	next: GraphScenario | string,
	options: { retryAfterSeconds?: number } = {}
) {
	if (!GRAPH_SCENARIOS.some((s) => s.id === next))
		throw new Error(`unknown Graph scenario "${next}"`);
	graphScenario = next as GraphScenario;
	graphRetryAfterSeconds = options.retryAfterSeconds ?? 2;
}

export function getGraphScenario(): GraphScenario {
	return graphScenario;
}

/** The messages Graph's sendMail accepted, oldest first. */
export function listGraphMessages(): readonly MockGraphMessage[] {
	return graphMessages;
}

/** Calls `listener` with each message Graph's sendMail accepts; returns its removal. */
export function onGraphMessage(listener: (message: MockGraphMessage) => void): () => void {
	graphListeners.add(listener);
	return () => graphListeners.delete(listener);
}

/** Every request the mock answered (never the client secret). */
export function listMicrosoftRequests(): readonly MockMicrosoftRequest[] {
	return requests;
}

/** True for an access token this mock issued (and so for nothing a real tenant issued). */
export function isMockIssuedToken(token: string): boolean {
	return issued.has(token);
}

function tokenEndpoint(host: string) {
	return http.post(`https://${host}/:tenant/oauth2/v2.0/token`, async ({ request, params }) => {
		const form = new URLSearchParams(await request.text());
		const tenant = String(params.tenant);
		const clientId = form.get('client_id') ?? '';
		const scope = form.get('scope') ?? '';
		requests.push({
			method: 'POST',
			host,
			path: new URL(request.url).pathname,
			grantType: form.get('grant_type'),
			clientId,
			scope,
			tenant
		});
		if (scenario === 'slow') await delay(slowMs);

		if (form.get('grant_type') !== 'client_credentials')
			return aadError(
				400,
				'unsupported_grant_type',
				70003,
				'The app requested an unsupported grant type.'
			);
		const failure = scenarioError(tenant, clientId, scope);
		if (failure) return failure;
		if (!scope.endsWith('/.default'))
			return aadError(400, 'invalid_scope', 1002012, describe1002012(scope));

		const resource =
			scenario === 'wrong-audience'
				? 'https://graph.microsoft.com'
				: scope.slice(0, -'/.default'.length);
		const forGraph = GRAPH_HOSTS.some((graph) => resource === `https://${graph}`);
		const token = issueToken({
			aud: resource,
			tenant,
			clientId,
			roles: scenario === 'no-role' ? [] : [forGraph ? 'Mail.Send' : 'SMTP.SendAsApp'],
			host
		});
		return HttpResponse.json({
			token_type: 'Bearer',
			expires_in: expiresIn,
			ext_expires_in: expiresIn,
			access_token: token
		});
	});
}

/** Metadata endpoints msal would use without configured metadata (Postern passes its own; counted if hit). */
function metadataEndpoints(host: string) {
	return [
		http.get(
			`https://${host}/:tenant/v2.0/.well-known/openid-configuration`,
			({ request, params }) => {
				requests.push({
					method: 'GET',
					host,
					path: new URL(request.url).pathname,
					tenant: String(params.tenant)
				});
				const authority = `https://${host}/${params.tenant}`;
				return HttpResponse.json({
					token_endpoint: `${authority}/oauth2/v2.0/token`,
					authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
					issuer: `${authority}/v2.0`,
					jwks_uri: `https://${host}/common/discovery/v2.0/keys`
				});
			}
		),
		http.get(`https://${host}/common/discovery/instance`, ({ request }) => {
			requests.push({ method: 'GET', host, path: new URL(request.url).pathname });
			return HttpResponse.json({
				tenant_discovery_endpoint: `https://${host}/common/v2.0/.well-known/openid-configuration`,
				'api-version': '1.1',
				metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }]
			});
		})
	];
}

/** Graph's `POST /v1.0/users/{mailbox}/sendMail`, taking base64 MIME as Postern posts it. */
function graphSendMail(host: string) {
	return http.post(`https://${host}/v1.0/users/:mailbox/sendMail`, async ({ request, params }) => {
		const mailbox = decodeURIComponent(String(params.mailbox));
		requests.push({ method: 'POST', host, path: new URL(request.url).pathname });
		const token = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
		const claims = issued.has(token) ? readClaims(token) : null;
		if (!claims || claims.aud !== `https://${host}`)
			return graphError(
				401,
				'InvalidAuthenticationToken',
				'Access token validation failure. Invalid audience.'
			);
		switch (graphScenario) {
			case 'throttled':
				return graphError(
					429,
					'ApplicationThrottled',
					'Application is over its MailboxConcurrency limit.',
					{ 'retry-after': String(graphRetryAfterSeconds) }
				);
			case 'unavailable':
				return graphError(503, 'ServiceUnavailable', 'Service unavailable, please try again.', {
					'retry-after': String(graphRetryAfterSeconds)
				});
			case 'mailbox-not-found':
				return graphError(404, 'ErrorInvalidUser', `The requested user '${mailbox}' is invalid.`);
			case 'mailbox-not-enabled':
				return graphError(
					404,
					'MailboxNotEnabledForRESTAPI',
					'The mailbox is either inactive, soft-deleted, or is hosted on-premise.'
				);
			case 'access-denied':
				return graphError(
					403,
					'ErrorAccessDenied',
					'Access is denied. Check credentials and try again.'
				);
		}
		if (!(claims.roles ?? []).includes('Mail.Send'))
			return graphError(
				403,
				'ErrorAccessDenied',
				'Access is denied. Check credentials and try again.'
			);
		if (request.headers.get('content-type')?.split(';')[0] !== 'text/plain')
			return graphError(
				400,
				'ErrorMimeContentInvalidBase64String',
				'Invalid base64 string for MIME content.'
			);
		const mime = Buffer.from(await request.text(), 'base64').toString('utf8');
		const message = { mailbox, mime, at: new Date() };
		graphMessages.push(message);
		if (graphMessages.length > MAX_GRAPH_MESSAGES) graphMessages.shift();
		for (const listener of graphListeners) listener(message);
		return new HttpResponse(null, { status: 202, headers: { 'request-id': randomUUID() } });
	});
}

/** An error body shaped like Graph's: { error: { code, message, innerError } }. */
function graphError(
	status: number,
	code: string,
	message: string,
	headers: Record<string, string> = {}
) {
	const requestId = randomUUID();
	return HttpResponse.json(
		{
			error: {
				code,
				message,
				innerError: {
					date: new Date().toISOString(),
					'request-id': requestId,
					'client-request-id': requestId
				}
			}
		},
		{ status, headers: { 'request-id': requestId, ...headers } }
	);
}

function readClaims(token: string): { aud?: string; roles?: string[] } | null {
	try {
		return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
	} catch {
		return null;
	}
}

/** The msw handlers. Prefer createMicrosoftMockFetch() to msw's setupServer in any process that speaks SMTP. */
export const microsoftHandlers = [
	...MICROSOFT_LOGIN_HOSTS.flatMap((host) => [tokenEndpoint(host), ...metadataEndpoints(host)]),
	...GRAPH_HOSTS.map(graphSendMail)
];

/**
 * A fetch that answers from the handlers above (msw's getResponse), with no interception at all. Give it to
 * the mail module's token client: `useMicrosoftFetch(createMicrosoftMockFetch())`.
 *
 * Why not setupServer: msw 3 (@mswjs/interceptors 0.45) catches HTTP by patching every net.Socket of the
 * process, fetch included. An SMTP client then sees "connected" before the real connection exists, so a
 * refused connection or a bad certificate surfaces later and as something else, and the configuration test
 * would diagnose the wrong thing.
 *
 * A request no handler answers fails (`unhandled: 'error'`, for tests) or goes to the network ('bypass').
 */
export function createMicrosoftMockFetch(
	options: { unhandled?: 'error' | 'bypass' } = {}
): typeof fetch {
	return async (input, init) => {
		const request = new Request(input, init);
		const response = await getResponse(microsoftHandlers, request);
		if (response) return response;
		if (options.unhandled === 'bypass') return fetch(input, init);
		throw new TypeError(`Microsoft mock: no handler for ${request.method} ${request.url}`);
	};
}

function scenarioError(tenant: string, clientId: string, scope: string) {
	switch (scenario) {
		case 'invalid-secret':
			return aadError(
				401,
				'invalid_client',
				7000215,
				`Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`
			);
		case 'secret-expired':
			return aadError(
				401,
				'invalid_client',
				7000222,
				`The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`
			);
		case 'app-not-found':
			return aadError(
				400,
				'unauthorized_client',
				700016,
				`Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`
			);
		case 'tenant-not-found':
			return aadError(
				400,
				'invalid_request',
				90002,
				`Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`
			);
		case 'invalid-scope':
			return aadError(
				400,
				'invalid_scope',
				70011,
				`The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`
			);
		case 'scope-not-default':
			return aadError(400, 'invalid_scope', 1002012, describe1002012(scope));
		default:
			return null;
	}
}

function describe1002012(scope: string) {
	return `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`;
}

/** An error body shaped like Entra ID's: error, error_description starting with the AADSTS code, error_codes. */
function aadError(status: number, error: string, code: number, text: string) {
	const traceId = randomUUID();
	const correlationId = randomUUID();
	const timestamp = new Date()
		.toISOString()
		.replace('T', ' ')
		.replace(/\.\d+Z$/, 'Z');
	return HttpResponse.json(
		{
			error,
			error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
			error_codes: [code],
			timestamp,
			trace_id: traceId,
			correlation_id: correlationId,
			error_uri: `https://login.microsoftonline.com/error?code=${code}`
		},
		{ status }
	);
}

function issueToken(claims: {
	aud: string;
	tenant: string;
	clientId: string;
	roles: string[];
	host: string;
}) {
	const now = Math.floor(Date.now() / 1000);
	const tid = /^[0-9a-f-]{36}$/i.test(claims.tenant)
		? claims.tenant.toLowerCase()
		: stableGuid(claims.tenant);
	const header = { typ: 'JWT', alg: 'RS256', kid: 'postern-mock' };
	const payload = {
		aud: claims.aud,
		iss: `https://sts.windows.net/${tid}/`,
		iat: now,
		nbf: now,
		exp: now + expiresIn,
		aio: 'postern-mock',
		app_displayname: 'Postern (mock)',
		appid: claims.clientId,
		appidacr: '1',
		idp: `https://sts.windows.net/${tid}/`,
		oid: randomUUID(),
		...(claims.roles.length ? { roles: claims.roles } : {}),
		sub: randomUUID(),
		tid,
		uti: randomBytes(16).toString('base64url'),
		ver: '1.0'
	};
	const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
	const token = `${encode(header)}.${encode(payload)}.${randomBytes(64).toString('base64url')}`;
	issued.add(token);
	if (issued.size > MAX_REMEMBERED_TOKENS) issued.delete(issued.values().next().value!);
	return token;
}

/** A GUID derived from a tenant domain, so the same domain always gets the same `tid`. */
function stableGuid(text: string) {
	const hex = Buffer.from(text.toLowerCase().padEnd(16, '.'))
		.toString('hex')
		.slice(0, 32)
		.padEnd(32, '0');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface MockMicrosoftRequest {
	method: 'GET' | 'POST';
	host: string;
	path: string;
	tenant?: string;
	grantType?: string | null;
	clientId?: string;
	scope?: string;
}

export interface MockGraphMessage {
	mailbox: string;
	/** The message as posted: RFC 5322 MIME, decoded from base64. */
	mime: string;
	at: Date;
}
