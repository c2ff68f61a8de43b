/**
 * The configuration test of a Microsoft Graph server: the token (fresh, from the same msal client production
 * uses), its check (Graph's audience, the Mail.Send role), then, to send, a test message posted to
 * `/users/{mailbox}/sendMail` exactly as production posts one (graph.ts). "Check connection" stops after the
 * token check: Graph has no way to try sendMail without sending. The result has the SMTP test's shape (steps,
 * transcript, diagnosis from the one table), secrets redacted.
 */
import {
	acquireMicrosoftToken,
	checkGraphTokenClaims,
	decodeTokenClaims,
	getCloudEndpoints,
	GRAPH_MAIL_SEND_ROLE
} from './microsoft.js';
import { composeMime, graphSendMailUrl, postMime } from './graph.js';
import {
	collectFailureFacts,
	describeFacts,
	diagnoseFailure,
	type FailureFacts
} from './diagnose.js';
import { createTranscriptRecorder, redactSecretsDeep } from './transcript.js';
import { createStepTracker } from './test-steps.js';
import { composeTestMessage } from './templates/configuration-test.js';
import { tagTestResult } from './last-test.js';
import type {
	ConfigurationTestResult,
	Diagnosis,
	SmtpServerSettings,
	TestMode,
	TestStep
} from './types.js';

export async function runGraphConfigurationTest(
	settings: SmtpServerSettings,
	request: { mode: TestMode; to?: string }
): Promise<ConfigurationTestResult> {
	const auth = settings.auth;
	if (auth.type !== 'graph') throw new Error('runGraphConfigurationTest: not a Graph server');
	const startedAt = new Date();
	const started = performance.now();
	const timeoutMs = settings.timeoutSeconds * 1000;
	const recorder = createTranscriptRecorder([auth.clientSecret]);
	const tracker = createStepTracker(planGraphSteps(request.mode));
	const endpoints = getCloudEndpoints(auth.cloud);
	const url = graphSendMailUrl(auth);
	recorder.note(`Testing Microsoft Graph sendMail as ${auth.mailbox} (${url})`);

	let failure: unknown;
	let facts: FailureFacts | undefined;
	let messageId: string | undefined;
	try {
		tracker.start('token');
		const token = await acquireMicrosoftToken(auth, {
			resource: 'graph',
			forceRefresh: true,
			timeoutMs
		}).catch((error: unknown) => {
			facts = collectFailureFacts(error, 'token');
			throw error;
		});
		recorder.addSecret(token.accessToken);
		tracker.pass(
			'token',
			`from ${endpoints.authorityHost}, valid until ${token.expiresOn.toISOString()}`
		);
		tracker.start('claims');
		const claims = decodeTokenClaims(token.accessToken);
		recorder.note(
			`Token for ${claims?.aud.join(', ') || '(no audience)'} with roles ${claims?.roles.join(', ') || '(none)'}`
		);
		const check = checkGraphTokenClaims(claims, auth.cloud);
		if (!check.ok) {
			facts = { step: 'claims', claimsProblem: check.problem };
			throw Object.assign(new Error('Graph would refuse the token'), { code: 'ETOKENCLAIMS' });
		}
		tracker.pass('claims', `audience ${claims!.aud[0]}, role ${GRAPH_MAIL_SEND_ROLE}`);
		if (request.mode === 'send') {
			tracker.start('send');
			const message = composeTestMessage(settings, request.to!);
			messageId = message.messageId;
			recorder.note(`POST ${url} (the test message as MIME, base64)`);
			const sent = await postMime(auth, await composeMime(message), { timeoutMs }).catch(
				(error: unknown) => {
					facts = collectFailureFacts(error, 'send');
					throw error;
				}
			);
			recorder.note(sent.response);
			tracker.pass('send', sent.response);
		}
	} catch (error) {
		failure = error ?? new Error('unknown failure');
	}

	let diagnosis: Diagnosis | undefined;
	if (failure !== undefined) {
		const step = facts?.step ?? tracker.running() ?? tracker.next();
		const found = facts ?? collectFailureFacts(failure, step);
		const status = (failure as { status?: number }).status;
		if (status) recorder.note(`Graph answered ${(failure as Error).message}`);
		diagnosis = diagnoseFailure(found, {
			host: settings.host,
			port: settings.port,
			security: settings.security,
			auth: 'graph',
			timeoutSeconds: settings.timeoutSeconds,
			fromAddress: settings.fromAddress,
			mailbox: auth.mailbox,
			clientId: auth.clientId,
			tenantId: auth.tenantId,
			cloud: auth.cloud
		});
		tracker.fail(step, describeFacts(found) || (failure as Error).message);
	}

	const steps = tracker.steps();
	const failedStep = steps.find((s) => s.ok === false);
	const result: ConfigurationTestResult = {
		ok: failure === undefined,
		mode: request.mode,
		verdict:
			failure === undefined
				? request.mode === 'send'
					? 'Test e-mail accepted by Microsoft Graph'
					: 'Token OK: Microsoft Graph would take it'
				: `${failedStep?.label ?? 'Test'} failed: ${diagnosis!.title}`,
		steps,
		...(diagnosis ? { diagnosis } : {}),
		transcript: recorder.lines(),
		...(messageId ? { messageId } : {}),
		startedAt: startedAt.toISOString(),
		durationMs: Math.round(performance.now() - started)
	};
	const safe = redactSecretsDeep(result, recorder.secrets());
	tagTestResult(safe, settings);
	return safe;
}

function planGraphSteps(mode: TestMode): TestStep[] {
	const step = (id: TestStep['id'], label: string, skipped?: string): TestStep => ({
		id,
		label,
		ok: null,
		ms: null,
		detail: skipped ?? null
	});
	return [
		step('token', 'Microsoft token (Graph)'),
		step('claims', `Token check (Microsoft Graph, ${GRAPH_MAIL_SEND_ROLE})`),
		mode === 'send'
			? step('send', 'Send test e-mail (Graph sendMail)')
			: step(
					'send',
					'Send test e-mail (Graph sendMail)',
					'not run: “Check connection” sends no e-mail (Graph cannot try sendMail without sending)'
				)
	];
}
