import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
	createMicrosoftMockFetch,
	listMicrosoftRequests,
	resetMicrosoftMock,
	setMicrosoftScenario
} from '../../../mocks/microsoft.js';
import {
	acquireMicrosoftToken,
	buildAuthorityUrl,
	checkTokenClaims,
	clearMicrosoftClients,
	decodeTokenClaims,
	getCloudEndpoints,
	useMicrosoftFetch
} from './microsoft.js';
import type { MicrosoftApp } from './types.js';
import { describeTokenRequest } from '../../microsoft-endpoints.js';

beforeAll(() => useMicrosoftFetch(createMicrosoftMockFetch({ unhandled: 'error' })));
afterAll(() => useMicrosoftFetch());
beforeEach(() => {
	resetMicrosoftMock();
	clearMicrosoftClients();
});

const app: MicrosoftApp = {
	cloud: 'global',
	tenantId: '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d',
	clientId: '11111111-2222-3333-4444-555555555555',
	clientSecret: 'mock~secret~value~0123456789abcdefghijkl'
};

async function failureOf(promise: Promise<unknown>) {
	return promise.then(
		() => null,
		(e: { errorCode?: string; errorNo?: string | number; code?: string }) => e
	);
}

describe('acquireMicrosoftToken', () => {
	it.each([
		['global', 'login.microsoftonline.com', 'https://outlook.office365.com'],
		['usgov', 'login.microsoftonline.us', 'https://outlook.office365.us'],
		['usgovdod', 'login.microsoftonline.us', 'https://outlook-dod.office365.us'],
		['china', 'login.chinacloudapi.cn', 'https://partner.outlook.cn']
	] as const)(
		'%s: asks %s for the Exchange scope and nothing else',
		async (cloud, host, audience) => {
			const token = await acquireMicrosoftToken({ ...app, cloud });
			const claims = decodeTokenClaims(token.accessToken);
			expect(claims?.aud).toEqual([audience]);
			expect(claims?.roles).toEqual(['SMTP.SendAsApp']);
			expect(checkTokenClaims(claims, cloud)).toEqual({ ok: true });
			expect(listMicrosoftRequests()).toEqual([
				expect.objectContaining({
					method: 'POST',
					host,
					path: `/${app.tenantId}/oauth2/v2.0/token`,
					grantType: 'client_credentials',
					clientId: app.clientId,
					scope: `${audience}/.default`
				})
			]);
		}
	);

	it('accepts a tenant domain name', async () => {
		const token = await acquireMicrosoftToken({ ...app, tenantId: 'contoso.onmicrosoft.com' });
		expect(token.accessToken.split('.')).toHaveLength(3);
		expect(listMicrosoftRequests()[0].path).toBe('/contoso.onmicrosoft.com/oauth2/v2.0/token');
		expect(buildAuthorityUrl({ cloud: 'global', tenantId: 'contoso.onmicrosoft.com' })).toBe(
			'https://login.microsoftonline.com/contoso.onmicrosoft.com'
		);
	});

	it.each(['global', 'usgov', 'usgovdod', 'china'] as const)(
		'%s: the token endpoint and scope the editor shows are the ones asked',
		async (cloud) => {
			const tenantId = 'Contoso.onmicrosoft.com';
			await acquireMicrosoftToken({ ...app, cloud, tenantId });
			const [request] = listMicrosoftRequests();
			const shown = describeTokenRequest(cloud, tenantId);
			expect(shown.tokenEndpoint).toBe(`https://${request.host}${request.path}`);
			expect(shown.scope).toBe(request.scope);
		}
	);

	it('serves later requests from msal’s cache, and asks again only when told to', async () => {
		const first = await acquireMicrosoftToken(app);
		expect(first.fromCache).toBe(false);
		for (let i = 0; i < 5; i++) {
			const again = await acquireMicrosoftToken(app);
			expect(again.fromCache).toBe(true);
			expect(again.accessToken).toBe(first.accessToken);
		}
		expect(listMicrosoftRequests()).toHaveLength(1);
		const fresh = await acquireMicrosoftToken(app, { forceRefresh: true });
		expect(fresh.accessToken).not.toBe(first.accessToken);
		expect(listMicrosoftRequests()).toHaveLength(2);
	});

	it('keeps applications apart: another secret is another client', async () => {
		await acquireMicrosoftToken(app);
		await acquireMicrosoftToken({
			...app,
			clientSecret: 'another~secret~value~0123456789abcdefgh'
		});
		expect(listMicrosoftRequests()).toHaveLength(2);
	});

	it.each([
		['invalid-secret', 'invalid_client', '7000215'],
		['secret-expired', 'invalid_client', '7000222'],
		['app-not-found', 'unauthorized_client', '700016'],
		['tenant-not-found', 'invalid_request', '90002'],
		['invalid-scope', 'invalid_scope', '70011'],
		['scope-not-default', 'invalid_scope', '1002012']
	] as const)('%s: rejects with %s and AADSTS%s', async (scenario, errorCode, aadsts) => {
		setMicrosoftScenario(scenario);
		const error = await failureOf(acquireMicrosoftToken(app));
		expect(error?.errorCode).toBe(errorCode);
		expect(String(error?.errorNo)).toBe(aadsts);
	});

	it('gives up on a slow endpoint with ETOKENTIMEOUT', async () => {
		setMicrosoftScenario('slow', { delayMs: 1500 });
		const started = Date.now();
		const error = await failureOf(acquireMicrosoftToken(app, { timeoutMs: 300 }));
		expect(error?.code).toBe('ETOKENTIMEOUT');
		expect(Date.now() - started).toBeLessThan(1400);
	});
});

describe('token claims', () => {
	it('finds a missing SMTP.SendAsApp role', async () => {
		setMicrosoftScenario('no-role');
		const token = await acquireMicrosoftToken(app);
		expect(checkTokenClaims(decodeTokenClaims(token.accessToken), 'global')).toEqual({
			ok: false,
			problem: 'missing-role'
		});
	});

	it('finds a token for another audience', async () => {
		setMicrosoftScenario('wrong-audience');
		const token = await acquireMicrosoftToken(app);
		expect(checkTokenClaims(decodeTokenClaims(token.accessToken), 'global')).toEqual({
			ok: false,
			problem: 'wrong-audience'
		});
	});

	it('a global token is the wrong audience for GCC High', async () => {
		const token = await acquireMicrosoftToken(app);
		expect(checkTokenClaims(decodeTokenClaims(token.accessToken), 'usgov')).toMatchObject({
			problem: 'wrong-audience'
		});
	});

	it('accepts Exchange Online’s application ID as audience', () => {
		const payload = Buffer.from(
			JSON.stringify({ aud: '00000002-0000-0ff1-ce00-000000000000', roles: ['SMTP.SendAsApp'] })
		).toString('base64url');
		expect(checkTokenClaims(decodeTokenClaims(`e30.${payload}.sig`), 'global')).toEqual({
			ok: true
		});
	});

	it('reads nothing from a token that is not a JWT', () => {
		expect(decodeTokenClaims('opaque-token')).toBeNull();
		expect(decodeTokenClaims('a.%%%.c')).toBeNull();
		expect(checkTokenClaims(null, 'global')).toEqual({ ok: false, problem: 'unreadable' });
	});

	it('knows each cloud’s SMTP host', () => {
		expect(getCloudEndpoints('global').smtpHost).toBe('smtp.office365.com');
		expect(getCloudEndpoints('usgov').smtpHost).toBe('smtp.office365.us');
	});
});
