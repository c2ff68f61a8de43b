/**
 * The "Configuration test": verify (DNS, TCP, TLS, [token, token check], authentication) or also send a test
 * e-mail, for a saved or an unsaved server, and say what failed and what to do.
 *
 * It runs through nodemailer with the options of the one transport builder (transport.ts), the same that
 * production mail uses, plus instrumentation that changes nothing about the dialogue:
 * - getSocket: Postern resolves the name and opens the TCP connection itself, so DNS and connect are timed and
 *   fail separately; nodemailer does all the rest on that socket (TLS with the builder's options, greeting,
 *   STARTTLS, AUTH, MAIL) exactly as it would on its own;
 * - a logger with nodemailer's transaction log: the transcript (secrets redacted as they arrive, transcript.ts)
 *   and the markers that time the other steps;
 * - for Microsoft 365, a provisioning callback that takes a fresh token from the same msal client production
 *   uses (skipping the cache, so a fix made in Entra ID shows at once) and checks its claims before it is sent.
 *
 * The result is plain JSON without secrets (every string passes redactSecretsDeep), safe for the browser.
 */
import { configurationTests } from '../metrics/registry.js';
import dns from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import type { SMTPTransportGetSocket } from 'nodemailer/lib/smtp-transport';
import type { XOAuth2ProvisionCallback } from 'nodemailer/lib/xoauth2';
import { recordAudit } from '../audit.js';
import { createTransportOptions } from './transport.js';
import { routeSmtp } from './smtp-route.js';
import {
	acquireMicrosoftToken,
	checkTokenClaims,
	decodeTokenClaims,
	getCloudEndpoints,
	SEND_AS_APP_ROLE
} from './microsoft.js';
import {
	collectFailureFacts,
	describeFacts,
	diagnoseFailure,
	type DiagnosisContext,
	type FailureFacts
} from './diagnose.js';
import { createTranscriptRecorder, redactSecretsDeep, type RecordedEvent } from './transcript.js';
import { createStepTracker, type StepTracker } from './test-steps.js';
import { runGraphConfigurationTest } from './graph-test.js';
import { composeTestMessage } from './templates/configuration-test.js';
import {
	fingerprintSettings,
	readTestResultTag,
	rememberTestOutcome,
	summariseTestResult,
	tagTestResult
} from './last-test.js';
import { getServerSettings } from './server-reads.js';
import { storeServerLastTest } from './server-save.js';
import type {
	ConfigurationTestResult,
	Diagnosis,
	SmtpServerSettings,
	StepId,
	TestMode,
	TestStep
} from './types.js';

const PROBE_TIMEOUT_MS = 3000;
const SECURITY_LABELS = { none: 'Unsecured', starttls: 'STARTTLS', tls: 'SSL/TLS' } as const;
const AUTH_LABELS = {
	none: 'no authentication',
	basic: 'username and password',
	microsoft: 'Microsoft 365 OAuth2',
	graph: 'Microsoft Graph'
} as const;

export async function runConfigurationTest(
	settings: SmtpServerSettings,
	request: { mode: TestMode; to?: string }
): Promise<ConfigurationTestResult> {
	if (request.mode === 'send' && !request.to)
		throw new Error('runConfigurationTest: send mode needs a destination address');
	// Microsoft Graph speaks HTTPS, not SMTP: its own steps (token, token check, sendMail)
	if (settings.auth.type === 'graph') return runGraphConfigurationTest(settings, request);
	const startedAt = new Date();
	const started = performance.now();
	const timeoutMs = settings.timeoutSeconds * 1000;
	const auth = settings.auth;
	const recorder = createTranscriptRecorder([
		auth.type === 'basic' ? auth.password : null,
		auth.type === 'microsoft' ? auth.clientSecret : null
	]);
	const tracker = createStepTracker(planSteps(settings, request.mode));
	let socket: net.Socket | undefined;
	let certificate: string | undefined;
	let tokenFacts: FailureFacts | undefined;
	let deadlineHit = false;

	recorder.note(
		`Testing ${settings.host}:${settings.port}, ${SECURITY_LABELS[settings.security]}, ${AUTH_LABELS[auth.type]}`
	);
	const dialogue = followDialogue(recorder, tracker, settings, () => certificate);

	// Production: the server itself. Mock mode: Microsoft's hosts lead to the embedded sink (smtp-route.ts).
	const route = routeSmtp(settings.host, settings.port);
	if (route.note) recorder.note(route.note);
	const getSocket: SMTPTransportGetSocket = (_options, callback) => {
		tracker.start('dns');
		resolveHost(route.host, timeoutMs).then(
			(addresses) => {
				tracker.pass(
					'dns',
					net.isIP(route.host) ? 'IP address, no lookup needed' : addresses.join(', ')
				);
				if (!net.isIP(route.host))
					recorder.note(`${route.host} resolves to ${addresses.join(', ')}`);
				tracker.start('tcp');
				socket = connectTcp(route.host, addresses, route.port, timeoutMs, (error) => {
					if (error) return callback(error, false);
					tracker.pass('tcp', `${socket!.remoteAddress}:${socket!.remotePort}`);
					recorder.note(`Connected to ${socket!.remoteAddress}:${socket!.remotePort}`);
					tracker.start(settings.security === 'tls' ? 'tls' : 'greeting');
					callback(null, { connection: socket! });
				});
			},
			(error: Error) => callback(error, false)
		);
	};

	let tokenAsked = false;
	const provisionToken: XOAuth2ProvisionCallback | undefined =
		auth.type === 'microsoft'
			? (_user, _renew, callback) => {
					const first = !tokenAsked;
					tokenAsked = true;
					if (first) tracker.start('token');
					const endpoints = getCloudEndpoints(auth.cloud);
					// Always a fresh token: the test must show the tenant as it is now, not as msal cached it.
					acquireMicrosoftToken(auth, { forceRefresh: true, timeoutMs }).then(
						(token) => {
							recorder.addSecret(token.accessToken);
							const expires = token.expiresOn.getTime() - 60_000;
							if (!first) return callback(null, token.accessToken, expires);
							tracker.pass(
								'token',
								`from ${endpoints.authorityHost}, valid until ${token.expiresOn.toISOString()}`
							);
							tracker.start('claims');
							const claims = decodeTokenClaims(token.accessToken);
							recorder.note(
								`Token for ${claims?.aud.join(', ') || '(no audience)'} with roles ${claims?.roles.join(', ') || '(none)'}`
							);
							const check = checkTokenClaims(claims, auth.cloud);
							if (!check.ok) {
								tokenFacts = { step: 'claims', claimsProblem: check.problem };
								return callback(
									Object.assign(new Error('The token would be refused'), { code: 'ETOKENCLAIMS' })
								);
							}
							tracker.pass('claims', `audience ${claims!.aud[0]}, role ${SEND_AS_APP_ROLE}`);
							callback(null, token.accessToken, expires);
						},
						(error: unknown) => {
							// Read the codes now: nodemailer rewrites `code` on the way out.
							tokenFacts ??= collectFailureFacts(error, 'token');
							recorder.note(
								`Token request refused: ${[tokenFacts.msalErrorCode, tokenFacts.aadsts ? `AADSTS${tokenFacts.aadsts}` : tokenFacts.code].filter(Boolean).join(' ')}`
							);
							callback(error as Error);
						}
					);
				}
			: undefined;

	const transporter = nodemailer.createTransport(
		createTransportOptions(settings, {
			logger: recorder.logger,
			getSocket,
			provisionToken,
			onPeerCertificate: (cert) => {
				certificate = describeCertificate(cert);
			}
		})
	);

	const deadline = setTimeout(
		() => {
			deadlineHit = true;
			socket?.destroy();
		},
		timeoutMs * 3 + (auth.type === 'microsoft' ? timeoutMs : 0)
	);
	let failure: unknown;
	let messageId: string | undefined;
	try {
		if (request.mode === 'send') {
			const message = composeTestMessage(settings, request.to!);
			messageId = message.messageId;
			const info = await transporter.sendMail(message);
			tracker.pass(
				'send',
				`accepted for ${info.accepted.join(', ')}: ${truncate(info.response, 120)}`
			);
		} else {
			await transporter.verify();
		}
	} catch (error) {
		failure = error ?? new Error('unknown failure');
	} finally {
		clearTimeout(deadline);
		transporter.close();
	}

	let diagnosis: Diagnosis | undefined;
	if (failure !== undefined) {
		const step = tokenFacts?.step ?? tracker.running() ?? tracker.next();
		const facts: FailureFacts = tokenFacts ?? collectFailureFacts(failure, step);
		if (deadlineHit) Object.assign(facts, { code: 'ETIMEDOUT', timeoutType: 'TEST_DEADLINE' });
		const foreignGreeting = recorder.foreignGreeting();
		if (foreignGreeting !== undefined) facts.foreignGreeting = foreignGreeting;
		if (dialogue.awaitingFinalReply()) facts.awaitingFinalReply = true;
		if (facts.timeoutType === 'GREETING_TIMEOUT' && settings.security !== 'tls') {
			facts.tlsProbe = await probeTls(
				route.host,
				route.port,
				Math.min(timeoutMs, PROBE_TIMEOUT_MS)
			);
			if (facts.tlsProbe === 'tls')
				recorder.note(
					`Port ${settings.port} answers a TLS handshake: it expects SSL/TLS from the start`
				);
		}
		diagnosis = diagnoseFailure(facts, diagnosisContext(settings, certificate));
		tracker.fail(step, describeFacts(facts));
	}

	const steps = tracker.steps();
	const failedStep = steps.find((s) => s.ok === false);
	const result: ConfigurationTestResult = {
		ok: failure === undefined,
		mode: request.mode,
		verdict:
			failure === undefined
				? request.mode === 'send'
					? 'Test e-mail sent successfully'
					: 'Connection OK'
				: // "failed" would be a guess when nobody can tell whether the message arrived
					diagnosis!.id === 'delivery-unknown'
					? `${failedStep?.label ?? 'Test'}: ${diagnosis!.title}`
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

/**
 * Stores a test's outcome as the server's last test (when `serverId`'s saved settings are the ones tested;
 * otherwise it is remembered, and stored if those settings are saved within the hour) and audits it.
 */
export async function recordConfigurationTest(
	result: ConfigurationTestResult,
	context: { serverId?: string; serverName?: string; actor: string; ip?: string }
): Promise<{ stored: boolean }> {
	const at = new Date(result.startedAt);
	const summary = summariseTestResult(result);
	const fingerprint = readTestResultTag(result);
	if (fingerprint) await rememberTestOutcome(fingerprint, { at, ok: result.ok, summary });
	configurationTests.inc({ mode: result.mode, outcome: result.ok ? 'ok' : 'failed' });
	let stored = false;
	if (context.serverId && fingerprint) {
		const saved = await getServerSettings(context.serverId);
		if (saved && fingerprintSettings(saved) === fingerprint) {
			await storeServerLastTest(context.serverId, { at, ok: result.ok, summary });
			stored = true;
		}
	}
	await recordAudit({
		actor: context.actor,
		action: 'smtp.tested',
		outcome: result.ok ? 'ok' : 'failed',
		ip: context.ip,
		detail: {
			serverId: context.serverId ?? null,
			name: context.serverName ?? null,
			mode: result.mode,
			verdict: result.verdict,
			diagnosis: result.diagnosis?.id ?? null,
			storedAsLastTest: stored
		}
	});
	return { stored };
}

/**
 * Moves the steps along as the SMTP dialogue goes, from the recorder's lines and nodemailer's events, and
 * tells whether the dialogue stands between the message's final dot and its reply.
 */
function followDialogue(
	recorder: ReturnType<typeof createTranscriptRecorder>,
	tracker: StepTracker,
	settings: SmtpServerSettings,
	certificate: () => string | undefined
) {
	let banner: string | undefined;
	let ehloPending = false;
	let messageSent = false;
	const tlsDetail = () =>
		settings.verifyTls
			? `certificate ${certificate() ?? 'verified'}`
			: `certificate not verified (Verify TLS certificate is off)${certificate() ? `: ${certificate()}` : ''}`;
	recorder.onEvent((event: RecordedEvent) => {
		const text = event.text;
		if (event.kind === 'event') {
			// nodemailer's "connection established" event carries the socket's addresses: for SSL/TLS it comes
			// once the handshake is done.
			if (
				event.data.tnx === 'network' &&
				'remoteAddress' in event.data &&
				tracker.running() === 'tls'
			) {
				tracker.pass('tls', tlsDetail());
				tracker.start('greeting');
			}
			// nodemailer counts the message's bytes once the whole of it, final dot included, is on its way.
			if (event.data.tnx === 'message' && 'outByteCount' in event.data) messageSent = true;
			if (event.data.action === 'authenticated')
				tracker.pass(
					'auth',
					`signed in as ${String(event.data.username ?? '').replace(/"/g, '')} (${String(event.data.method ?? '')})`
				);
			return;
		}
		if (event.kind === 'server') {
			messageSent = false;
			banner ??= text;
			if (ehloPending && /^250[ ]/.test(text)) {
				ehloPending = false;
				if (tracker.running() === 'greeting') tracker.pass('greeting', truncate(banner, 100));
			}
			return;
		}
		if (/^(EHLO|HELO|LHLO)\b/i.test(text)) {
			ehloPending = true;
			if (tracker.running() === 'tls') tracker.pass('tls', tlsDetail());
		} else if (/^STARTTLS$/i.test(text)) tracker.start('tls');
		else if (/^AUTH\b/i.test(text)) {
			if (tracker.running() !== 'auth') tracker.start('auth');
		} else if (/^MAIL FROM/i.test(text)) tracker.start('send');
	});
	return { awaitingFinalReply: () => messageSent };
}

function planSteps(settings: SmtpServerSettings, mode: TestMode): TestStep[] {
	const step = (id: StepId, label: string, skipped?: string): TestStep => ({
		id,
		label,
		ok: null,
		ms: null,
		detail: skipped ?? null
	});
	const steps = [step('dns', 'DNS lookup'), step('tcp', 'TCP connection')];
	if (settings.security === 'tls')
		steps.push(step('tls', 'TLS (SSL/TLS)'), step('greeting', 'Server greeting'));
	else
		steps.push(
			step('greeting', 'Server greeting'),
			settings.security === 'starttls'
				? step('tls', 'TLS (STARTTLS)')
				: step('tls', 'TLS', 'not used: the connection type is Unsecured')
		);
	if (settings.auth.type === 'microsoft')
		steps.push(
			step('token', 'Microsoft token'),
			step('claims', `Token check (Exchange Online, ${SEND_AS_APP_ROLE})`)
		);
	steps.push(
		settings.auth.type === 'none'
			? step('auth', 'Authentication', 'not used: no authentication configured')
			: step(
					'auth',
					settings.auth.type === 'microsoft' ? 'Authentication (XOAUTH2)' : 'Authentication'
				)
	);
	steps.push(
		mode === 'send'
			? step('send', 'Send test e-mail')
			: step('send', 'Send test e-mail', 'not run: “Check connection” sends no e-mail')
	);
	return steps;
}

async function resolveHost(host: string, timeoutMs: number): Promise<string[]> {
	if (net.isIP(host)) return [host];
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() =>
				reject(Object.assign(new Error(`DNS lookup of ${host} timed out`), { code: 'EAI_AGAIN' })),
			timeoutMs
		);
	});
	try {
		const found = await Promise.race([dns.lookup(host, { all: true }), timeout]);
		return found.map((a) => a.address);
	} finally {
		clearTimeout(timer);
	}
}

/** Opens the TCP connection to one of `addresses` (IPv6 and IPv4 tried in turn, as nodemailer does). */
function connectTcp(
	host: string,
	addresses: string[],
	port: number,
	timeoutMs: number,
	done: (error: Error | null) => void
): net.Socket {
	const families = addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
	const socket =
		families.length === 1
			? net.connect({ host: families[0].address, port })
			: net.connect({
					host,
					port,
					autoSelectFamily: true,
					lookup: (_hostname, options, callback) => {
						if ((options as { all?: boolean }).all) return callback(null, families);
						callback(null, families[0].address, families[0].family);
					}
				} as net.NetConnectOpts);
	const timer = setTimeout(
		() =>
			socket.destroy(
				Object.assign(new Error(`No connection to ${host}:${port} within ${timeoutMs} ms`), {
					code: 'ETIMEDOUT',
					timeoutType: 'CONNECT_TIMEOUT'
				})
			),
		timeoutMs
	);
	const onError = (error: Error) => {
		clearTimeout(timer);
		done(error);
	};
	socket.once('error', onError);
	socket.once('connect', () => {
		clearTimeout(timer);
		socket.removeListener('error', onError);
		done(null);
	});
	return socket;
}

/** After a greeting timeout: does the port answer a TLS handshake (so it wants SSL/TLS from the start)? */
function probeTls(host: string, port: number, timeoutMs: number): Promise<'tls' | 'no-tls'> {
	return new Promise((resolve) => {
		const socket = tls.connect({
			host,
			port,
			rejectUnauthorized: false,
			...(net.isIP(host) ? {} : { servername: host })
		});
		const end = (answer: 'tls' | 'no-tls') => {
			socket.destroy();
			resolve(answer);
		};
		socket.setTimeout(timeoutMs, () => end('no-tls'));
		socket.once('secureConnect', () => end('tls'));
		socket.once('error', () => end('no-tls'));
	});
}

function diagnosisContext(settings: SmtpServerSettings, certificate?: string): DiagnosisContext {
	const auth = settings.auth;
	return {
		host: settings.host,
		port: settings.port,
		security: settings.security,
		auth: auth.type,
		timeoutSeconds: settings.timeoutSeconds,
		fromAddress: settings.fromAddress,
		username: auth.type === 'basic' ? auth.username : undefined,
		mailbox: auth.type === 'microsoft' ? auth.mailbox : undefined,
		clientId: auth.type === 'microsoft' ? auth.clientId : undefined,
		tenantId: auth.type === 'microsoft' ? auth.tenantId : undefined,
		cloud: auth.type === 'microsoft' ? auth.cloud : undefined,
		certificate
	};
}

function describeCertificate(cert: tls.PeerCertificate): string {
	const name = (field: string | string[] | undefined) =>
		Array.isArray(field) ? field.join(', ') : (field ?? '?');
	const parts = [`CN=${name(cert.subject?.CN)}`];
	if (cert.subjectaltname) parts.push(cert.subjectaltname);
	parts.push(`issued by ${name(cert.issuer?.CN)}`, `valid until ${cert.valid_to}`);
	return parts.join(', ');
}

function truncate(text: string, max: number) {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}
