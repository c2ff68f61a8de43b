/**
 * Sending through Microsoft Graph, against the mocked identity platform and Graph (src/mocks/microsoft.ts)
 * through the real msal-node and the real HTTP client (fetch): the token's scope per cloud, the MIME posted,
 * 202 recorded as accepted (not delivered), and each refusal read into the one diagnosis table.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
	createMicrosoftMockFetch,
	listGraphMessages,
	listMicrosoftRequests,
	resetMicrosoftMock,
	setGraphScenario,
	setMicrosoftScenario
} from '../../../mocks/microsoft.js';
import { clearMicrosoftClients, useMicrosoftFetch } from './microsoft.js';
import { GraphSendError, graphSendMailUrl, sendWithGraph, type GraphAccount } from './graph.js';
import { collectFailureFacts, diagnoseFailure, type DiagnosisContext } from './diagnose.js';

beforeAll(() => useMicrosoftFetch(createMicrosoftMockFetch({ unhandled: 'error' })));
afterAll(() => useMicrosoftFetch());
beforeEach(() => {
	resetMicrosoftMock();
	clearMicrosoftClients();
});

const account: GraphAccount = {
	cloud: 'global',
	tenantId: '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d',
	clientId: '11111111-2222-3333-4444-555555555555',
	clientSecret: 'mock~secret~value~0123456789abcdefghijkl',
	mailbox: 'noreply@contoso.example'
};

const message = {
	from: { address: 'noreply@contoso.example', name: 'Postern' },
	to: 'ada@example.com',
	subject: 'Your sign-in code',
	text: 'Your sign-in code is 123456.',
	messageId: '<graph-test-1@contoso.example>',
	headers: { 'X-Postern-Kind': 'email-otp' }
};

const context: DiagnosisContext = {
	host: 'graph.microsoft.com',
	port: 443,
	security: 'tls',
	auth: 'microsoft',
	timeoutSeconds: 30,
	fromAddress: account.mailbox,
	mailbox: account.mailbox,
	clientId: account.clientId,
	tenantId: account.tenantId,
	cloud: 'global'
};

async function refusal(promise: Promise<unknown>): Promise<GraphSendError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(GraphSendError);
	return error as GraphSendError;
}

describe('sendWithGraph', () => {
	it('posts the MIME to /users/{mailbox}/sendMail with a Graph token, and records 202 as accepted, not delivered', async () => {
		const sent = await sendWithGraph(account, message);
		expect(sent.status).toBe(202);
		expect(sent.response).toMatch(
			/^202 Accepted by Microsoft Graph for delivery \(not yet delivered\)/
		);
		expect(sent.requestId).toMatch(/^[0-9a-f-]{36}$/);
		const [posted] = listGraphMessages();
		expect(posted.mailbox).toBe(account.mailbox);
		expect(posted.mime).toMatch(/^Message-ID: <graph-test-1@contoso\.example>\r?$/m);
		expect(posted.mime).toMatch(/^Subject: Your sign-in code\r?$/m);
		expect(posted.mime).toMatch(/^X-Postern-Kind: email-otp\r?$/m);
		expect(posted.mime).toContain('Your sign-in code is 123456.');
		const token = listMicrosoftRequests().find((r) => r.path.endsWith('/oauth2/v2.0/token'));
		expect(token?.scope).toBe('https://graph.microsoft.com/.default');
		expect(JSON.stringify(listMicrosoftRequests())).not.toContain(account.clientSecret);
	});

	it.each([
		['usgov', 'graph.microsoft.us'],
		['usgovdod', 'dod-graph.microsoft.us'],
		['china', 'microsoftgraph.chinacloudapi.cn']
	] as const)('%s: posts to %s with that cloud’s Graph scope', async (cloud, host) => {
		const sent = await sendWithGraph({ ...account, cloud }, message);
		expect(sent.status).toBe(202);
		expect(graphSendMailUrl({ cloud, mailbox: account.mailbox })).toBe(
			`https://${host}/v1.0/users/noreply%40contoso.example/sendMail`
		);
		const requests = listMicrosoftRequests();
		expect(requests.find((r) => r.scope)?.scope).toBe(`https://${host}/.default`);
		expect(requests.some((r) => r.host === host && r.path.endsWith('/sendMail'))).toBe(true);
	});

	it('asks for a token once per token lifetime, not once per message', async () => {
		for (let i = 0; i < 5; i++)
			await sendWithGraph(account, { ...message, messageId: `<m${i}@x>` });
		expect(listMicrosoftRequests().filter((r) => r.scope)).toHaveLength(1);
		expect(listGraphMessages()).toHaveLength(5);
	});

	it('403 ErrorAccessDenied: permanent, diagnosed with the RBAC for Applications PowerShell for this mailbox', async () => {
		setGraphScenario('access-denied');
		const error = await refusal(sendWithGraph(account, message));
		expect(error).toMatchObject({ status: 403, graphCode: 'ErrorAccessDenied', transient: false });
		const diagnosis = diagnoseFailure(collectFailureFacts(error, 'send'), context);
		expect(diagnosis.id).toBe('graph-access-denied');
		expect(diagnosis.title).toContain(account.mailbox);
		expect(diagnosis.powershell).toEqual(
			expect.arrayContaining([
				expect.stringContaining(
					`-RecipientRestrictionFilter "PrimarySmtpAddress -eq '${account.mailbox}'"`
				),
				`New-ManagementRoleAssignment -App '${account.clientId}' -Role 'Application Mail.Send' -CustomResourceScope 'Postern sending mailbox'`,
				`Test-ServicePrincipalAuthorization -Identity '${account.clientId}' -Resource '${account.mailbox}'`
			])
		);
		expect(listGraphMessages()).toHaveLength(0);
	});

	it('a token without Mail.Send is refused by Graph as access denied', async () => {
		setMicrosoftScenario('no-role');
		const error = await refusal(sendWithGraph(account, message));
		expect(error.graphCode).toBe('ErrorAccessDenied');
	});

	it('429: transient, with the wait Graph asked for, diagnosed as throttling', async () => {
		setGraphScenario('throttled', { retryAfterSeconds: 7 });
		const error = await refusal(sendWithGraph(account, message));
		expect(error).toMatchObject({ status: 429, retryAfterSeconds: 7, transient: true });
		expect(diagnoseFailure(collectFailureFacts(error, 'send'), context).id).toBe('graph-throttled');
	});

	it('503: transient, diagnosed as Graph being unavailable', async () => {
		setGraphScenario('unavailable');
		const error = await refusal(sendWithGraph(account, message));
		expect(error).toMatchObject({ status: 503, transient: true });
		expect(diagnoseFailure(collectFailureFacts(error, 'send'), context).id).toBe(
			'graph-unavailable'
		);
	});

	it.each([
		['mailbox-not-found', 'ErrorInvalidUser', 'graph-mailbox-unknown'],
		['mailbox-not-enabled', 'MailboxNotEnabledForRESTAPI', 'graph-mailbox-not-enabled']
	] as const)('%s: permanent %s, diagnosed as %s', async (scenario, code, id) => {
		setGraphScenario(scenario);
		const error = await refusal(sendWithGraph(account, message));
		expect(error).toMatchObject({ status: 404, graphCode: code, transient: false });
		expect(diagnoseFailure(collectFailureFacts(error, 'send'), context).id).toBe(id);
	});

	it('an AADSTS error stops at the token, before anything is posted to Graph', async () => {
		setMicrosoftScenario('invalid-secret');
		const error = await sendWithGraph(account, message).then(
			() => null,
			(e: { errorNo?: string }) => e
		);
		expect(String(error?.errorNo)).toBe('7000215');
		expect(listMicrosoftRequests().some((r) => r.path.endsWith('/sendMail'))).toBe(false);
	});
});
