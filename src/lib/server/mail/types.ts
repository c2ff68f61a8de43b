/**
 * Types shared by the mail modules and the routes that call them. Everything a page may receive (views, test
 * results) is plain JSON-safe data without secrets; `SmtpServerSettings` holds opened secrets and stays on the
 * server.
 */
import type { MicrosoftCloud, SmtpAuthKind, SmtpSecurity } from '../../schemas/smtp-server.js';
import type { SmtpLastTestSummary } from '../db/schema/mail.js';

export type { MicrosoftCloud, SmtpAuthKind, SmtpSecurity };
export type LastTestSummary = SmtpLastTestSummary;

/** A server's settings with its secrets opened: what the transport builder and the configuration test take. */
export interface SmtpServerSettings {
	/** Set for a saved server; absent when testing an unsaved form. */
	id?: string;
	name: string;
	host: string;
	port: number;
	security: SmtpSecurity;
	auth: SmtpAuthSettings;
	fromAddress: string;
	fromName: string | null;
	verifyTls: boolean;
	caPem: string | null;
	timeoutSeconds: number;
}

export type SmtpAuthSettings =
	| { type: 'none' }
	| { type: 'basic'; username: string; password: string }
	| ({ type: 'microsoft'; mailbox: string } & MicrosoftApp)
	/** Microsoft Graph sendMail as `mailbox` (graph.ts): no SMTP at all. */
	| ({ type: 'graph'; mailbox: string } & MicrosoftApp);

/** A Microsoft Entra ID application registration used with the client-credentials grant. */
export interface MicrosoftApp {
	cloud: MicrosoftCloud;
	tenantId: string;
	clientId: string;
	clientSecret: string;
}

/** An SMTP server as pages see it: secrets reduced to "is one stored". */
export interface SmtpServerView {
	id: string;
	name: string;
	host: string;
	port: number;
	security: SmtpSecurity;
	auth: SmtpAuthKind;
	username: string | null;
	hasPassword: boolean;
	tenantId: string | null;
	clientId: string | null;
	hasClientSecret: boolean;
	/** YYYY-MM-DD */
	clientSecretExpiresOn: string | null;
	/** 'expired', 'expiring' (within 30 days) or 'ok'; null when no expiry is recorded. */
	clientSecretExpiry: SecretExpiry | null;
	mailbox: string | null;
	cloud: MicrosoftCloud;
	fromAddress: string;
	fromName: string | null;
	verifyTls: boolean;
	caPem: string | null;
	timeoutSeconds: number;
	/** What the admin set (null: the host's default) and what applies. */
	maxConnections: number | null;
	messagesPerMinute: number | null;
	recipientsPerDay: number | null;
	limits: import('./limits.js').ServerLimits;
	lastTest: { at: Date; ok: boolean; summary: LastTestSummary | null } | null;
	createdAt: Date;
	updatedAt: Date;
}

export type SecretExpiry = 'ok' | 'expiring' | 'expired';

/** What uses a server (shown when delete is refused, and in the list). */
export interface ServerUsage {
	kind: string;
	name: string;
	/** The fallback server this use moves its mail to when the server fails (its name), if it has one. */
	fallback?: string;
}

export type TestMode = 'verify' | 'send';

export type StepId = 'dns' | 'tcp' | 'greeting' | 'tls' | 'token' | 'claims' | 'auth' | 'send';

export interface TestStep {
	id: StepId;
	label: string;
	/** true passed, false failed, null not run (or not used by this configuration). */
	ok: boolean | null;
	ms: number | null;
	detail: string | null;
}

export type DiagnosisPhase = 'dns' | 'connect' | 'tls' | 'token' | 'auth' | 'send';

export interface Diagnosis {
	id: string;
	phase: DiagnosisPhase;
	title: string;
	explanation: string;
	fix: string;
	powershell?: string[];
}

export interface TranscriptLine {
	dir: 'client' | 'server' | 'info';
	text: string;
}

/** The outcome of a configuration test: JSON-serialisable, secrets redacted, safe to send to the browser. */
export interface ConfigurationTestResult {
	ok: boolean;
	mode: TestMode;
	/** 'Test e-mail sent successfully', 'Connection OK', or what failed. */
	verdict: string;
	steps: TestStep[];
	diagnosis?: Diagnosis;
	transcript: TranscriptLine[];
	/** The test message's Message-ID (send mode, once composed). */
	messageId?: string;
	/** ISO time the test started. */
	startedAt: string;
	durationMs: number;
}
