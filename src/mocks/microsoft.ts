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
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { delay, getResponse, http, HttpResponse } from 'msw';

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

const DEFAULT_SLOW_MS = 20_000;
const MAX_REMEMBERED_TOKENS = 1000;

let scenario: MicrosoftScenario = 'success';
let slowMs = DEFAULT_SLOW_MS;
let expiresIn = 3599;
const issued = new Set<string>();
const requests: MockMicrosoftRequest[] = [];

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

/** Back to success, with no request or token remembered. */
export function resetMicrosoftMock() {
	scenario = 'success';
	slowMs = DEFAULT_SLOW_MS;
	expiresIn = 3599;
	issued.clear();
	requests.length = 0;
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
		const token = issueToken({
			aud: resource,
			tenant,
			clientId,
			roles: scenario === 'no-role' ? [] : ['SMTP.SendAsApp'],
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

/** The msw handlers. Prefer createMicrosoftMockFetch() to msw's setupServer in any process that speaks SMTP. */
export const microsoftHandlers = MICROSOFT_LOGIN_HOSTS.flatMap((host) => [
	tokenEndpoint(host),
	...metadataEndpoints(host)
]);

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
