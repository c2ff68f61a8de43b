import { describe, expect, it } from 'vitest';
import { describeTokenRequest } from './microsoft-endpoints.js';

describe('describeTokenRequest', () => {
	it('puts the tenant ID as typed into the global token endpoint', () => {
		expect(describeTokenRequest('global', '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d')).toEqual({
			tokenEndpoint:
				'https://login.microsoftonline.com/8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d/oauth2/v2.0/token',
			scope: 'https://outlook.office365.com/.default'
		});
	});

	it.each([
		['usgov', 'https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token'],
		['usgovdod', 'https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token'],
		['china', 'https://login.chinacloudapi.cn/contoso.onmicrosoft.us/oauth2/v2.0/token']
	] as const)('%s: its own login host', (cloud, endpoint) => {
		expect(describeTokenRequest(cloud, 'contoso.onmicrosoft.us').tokenEndpoint).toBe(endpoint);
	});

	it('shows where the tenant goes while none is typed', () => {
		expect(describeTokenRequest('global', '  ').tokenEndpoint).toBe(
			'https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token'
		);
	});

	it('keeps a typed tenant inside its path segment', () => {
		expect(describeTokenRequest('global', 'a/../b?c').tokenEndpoint).toBe(
			'https://login.microsoftonline.com/a%2F..%2Fb%3Fc/oauth2/v2.0/token'
		);
	});
});
