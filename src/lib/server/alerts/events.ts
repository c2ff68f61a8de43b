/**
 * Alerts raised by what happens, heard from the audit log and the outbox in the process where it happened:
 * a lockout, a recovery code used with few left, a TOTP reset, the SMTP configuration switched off, a message
 * given up. Firing is idempotent per condition (episodes.ts), so hearing the same thing twice sends one mail.
 */
import { eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import { onAudit, type AuditEvent } from '../audit.js';
import { onMessageGivenUp, type GivenUpMessage } from '../outbox/attempt-events.js';
import { findAdminByUsername } from '../auth/admins.js';
import { isUuid } from '../ids.js';
import { log } from '../log.js';
import { fireAlert, resolveAlert } from './episodes.js';

/** At or below this many unused recovery codes the account's owner should make new ones. */
export const LOW_RECOVERY_CODES = 2;

/** Throttle scopes of console accounts; the others are end users' sign-in steps. */
const CONSOLE_SCOPES = new Set(['sign_in', 'recovery', 'reauth', 'reset_link']);
const SCOPE_WORDS: Record<string, string> = {
	sign_in: 'signing in to the console',
	recovery: 'using recovery codes',
	reauth: 'confirming the password',
	reset_link: 'asking for reset links',
	user_sign_in: 'signing in (password)',
	user_otp: 'entering e-mailed sign-in codes',
	user_totp: 'entering authenticator codes'
};

let stops: (() => void)[] = [];

export function listenForAlertEvents() {
	if (stops.length) return;
	stops = [onAudit(reactToAudit), onMessageGivenUp(reactToGivenUp)];
}

export function stopListeningForAlertEvents() {
	for (const stop of stops) stop();
	stops = [];
}

async function reactToAudit(event: AuditEvent) {
	try {
		await alertOnAudit(event);
	} catch (error) {
		log.warn({ event: 'alert_event_failed', action: event.action, err: error }, 'alert not raised');
	}
}

export async function alertOnAudit(event: AuditEvent) {
	const detail = event.detail ?? {};
	switch (event.action) {
		case 'auth.locked': {
			const scope = String(detail.scope ?? 'sign_in');
			const console = CONSOLE_SCOPES.has(scope);
			const account = event.actor ?? '';
			// a user's throttle account is "domain id:user"
			const [domainId, ...rest] = account.split(':');
			const who = console
				? `Console account “${account}”`
				: `User “${rest.join(':')}” of ${await nameOfDomain(domainId)}`;
			await fireAlert({
				type: 'account-locked',
				key: `${scope}:${account}`,
				about: who,
				facts: {
					Account: who,
					'Locked while': SCOPE_WORDS[scope] ?? scope,
					'Locked until': String(detail.until ?? 'unknown'),
					'Last attempt from': event.ip ?? 'unknown',
					'What to do':
						'If this was not the account’s owner, someone is guessing its password: check the audit log for the address, and block it upstream.'
				}
			});
			return;
		}
		case 'recovery.used': {
			if (event.outcome === 'failed' || typeof detail.remaining !== 'number') return;
			if (detail.remaining > LOW_RECOVERY_CODES) return;
			const admin = event.actor ? await findAdminByUsername(event.actor) : null;
			if (!admin) return;
			await fireAlert({
				type: 'recovery-codes-low',
				key: admin.id,
				about: `Console account “${admin.username}”`,
				facts: {
					Account: admin.username,
					'Unused recovery codes': String(detail.remaining),
					'What to do':
						'Sign in as this account and make new recovery codes (Account → Recovery codes); the old ones stop working.'
				}
			});
			return;
		}
		case 'recovery.regenerated': {
			const admin = event.actor ? await findAdminByUsername(event.actor) : null;
			if (admin) await resolveAlert('recovery-codes-low', admin.id);
			return;
		}
		case 'totp.reset': {
			if (!detail.hadEnrollment) return;
			const domainName = await nameOfDomain(String(detail.domainId ?? ''));
			const username = String(detail.username ?? '');
			await fireAlert({
				type: 'totp-reset',
				key: `${detail.domainId}:${username.toLowerCase()}`,
				about: `User “${username}” of ${domainName}`,
				facts: {
					User: `${username} (${domainName})`,
					'Reset by': event.actor ?? 'unknown',
					From: event.ip ?? 'unknown',
					'What to do':
						'Nothing if this was planned: the user enrols a new authenticator at their next sign-in. If not, ask the admin who did it.'
				}
			});
			return;
		}
		case 'site.updated': {
			if (detail.section !== 'smtp switch' || detail.enabled !== false) return;
			await fireAlert({
				type: 'smtp-switched-off',
				key: 'site',
				about: 'Site settings',
				facts: {
					'Switched off by': event.actor ?? 'unknown',
					Effect:
						'No password-reset link or other site e-mail is sent until it is switched on again.',
					'What to do': 'Site settings → SMTP configuration: switch it on once the server is ready.'
				}
			});
			return;
		}
	}
}

async function nameOfDomain(id: string): Promise<string> {
	if (!isUuid(id)) return 'an unknown domain';
	const [row] = await db()
		.select({ name: tables.domains.name })
		.from(tables.domains)
		.where(eq(tables.domains.id, id));
	return row?.name ?? 'a deleted domain';
}

async function reactToGivenUp(message: GivenUpMessage) {
	// an alert that cannot be delivered does not raise another alert about itself
	if (message.kind === 'alert') return;
	try {
		await fireAlert({
			type: 'message-failed',
			key: message.serverId,
			about: message.serverName,
			facts: {
				Server: message.serverName,
				'Last message': `${message.kind} to ${message.to.join(', ')}`,
				Reply: message.reply ?? 'none (no answer)',
				Diagnosis: message.diagnosis.title,
				'What to do': message.diagnosis.fix
			}
		});
	} catch (error) {
		log.warn({ event: 'alert_event_failed', err: error }, 'message-failed alert not raised');
	}
}
