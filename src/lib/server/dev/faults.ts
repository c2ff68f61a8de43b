/**
 * The dev toolbar's fault scenarios (mock mode only): each one makes the embedded sink, the mocked Microsoft
 * identity platform or the mocked LDAP directory fail the way real ones do, so every error screen can be
 * designed without a real failure.
 */
import { eq } from 'drizzle-orm';
import { db, tables } from '../db/index.js';
import type { SinkFault } from './mail-sink.js';
import { getMockState } from './mock-state.js';

export interface FaultScenario {
	id: string;
	label: string;
	group: 'SMTP' | 'Microsoft' | 'LDAP' | 'Site';
	sink?: SinkFault;
	/** The site's SMTP server as if saved without a passing test (the console's warning banner). */
	siteUntested?: boolean;
	microsoft?: string;
	/** Microsoft Graph sendMail's answer (src/mocks/microsoft.ts GRAPH_SCENARIOS). */
	graph?: string;
	ldap?: string;
}

export const FAULTS: FaultScenario[] = [
	{
		id: 'none',
		label: 'Everything works',
		group: 'SMTP',
		sink: 'none',
		microsoft: 'success',
		graph: 'accepted',
		ldap: 'success'
	},
	{
		id: 'smtp-535-5.7.139',
		label: '535 5.7.139 SMTP AUTH disabled',
		group: 'SMTP',
		sink: 'auth-disabled-5.7.139'
	},
	{
		id: 'smtp-4.3.2',
		label: '432 4.3.2 sender thread limit',
		group: 'SMTP',
		sink: 'concurrency-4.3.2'
	},
	{ id: 'smtp-550', label: '550 5.7.60 SendAs denied', group: 'SMTP', sink: 'reject-550' },
	{ id: 'smtp-drop', label: 'Connection dropped', group: 'SMTP', sink: 'drop' },
	{
		id: 'site-untested',
		label: 'Site e-mail on, never tested',
		group: 'Site',
		siteUntested: true
	}
];

let current = 'none';

/** Microsoft scenarios are added by the mail module's mocks when they load (see registerMicrosoftFaults). */
let microsoftSetter: ((scenario: string) => void) | undefined;

export function registerMicrosoftFaults(
	scenarios: { id: string; label: string }[],
	set: (scenario: string) => void
) {
	microsoftSetter = set;
	for (const s of scenarios)
		if (!FAULTS.some((f) => f.id === `ms-${s.id}`))
			FAULTS.push({ id: `ms-${s.id}`, label: s.label, group: 'Microsoft', microsoft: s.id });
}

/** Graph sendMail scenarios, added with the Microsoft ones (mock mode). */
let graphSetter: ((scenario: string) => void) | undefined;

export function registerGraphFaults(
	scenarios: { id: string; label: string }[],
	set: (scenario: string) => void
) {
	graphSetter = set;
	for (const s of scenarios)
		if (!FAULTS.some((f) => f.id === `graph-${s.id}`))
			FAULTS.push({
				id: `graph-${s.id}`,
				label: `Graph: ${s.label}`,
				group: 'Microsoft',
				graph: s.id
			});
}

/** LDAP scenarios are added by mock mode's LDAP directory when it is installed (dev/mock-ldap.ts). */
let ldapSetter: ((scenario: string) => void) | undefined;

export function registerLdapFaults(
	scenarios: { id: string; label: string }[],
	set: (scenario: string) => void
) {
	ldapSetter = set;
	for (const s of scenarios)
		if (!FAULTS.some((f) => f.id === `ldap-${s.id}`))
			FAULTS.push({ id: `ldap-${s.id}`, label: s.label, group: 'LDAP', ldap: s.id });
}

export function currentFault() {
	return current;
}

export async function applyFault(id: string): Promise<boolean> {
	const scenario = FAULTS.find((f) => f.id === id);
	const state = getMockState();
	if (!scenario || !state) return false;
	state.sink.setFault(scenario.sink ?? 'none');
	microsoftSetter?.(scenario.microsoft ?? 'success');
	graphSetter?.(scenario.graph ?? 'accepted');
	ldapSetter?.(scenario.ldap ?? 'success');
	await setSiteUntested(scenario.siteUntested === true);
	current = id;
	return true;
}

/** Hides the site server's last test (kept aside) or puts it back. */
let keptLastTest: { id: string; at: Date | null; ok: boolean | null; summary: unknown } | null =
	null;
async function setSiteUntested(untested: boolean) {
	if (untested === (keptLastTest !== null)) return;
	const [site] = await db().select().from(tables.siteSettings);
	if (!site?.smtpServerId) return;
	const servers = tables.smtpServers;
	if (untested && !keptLastTest) {
		const [row] = await db().select().from(servers).where(eq(servers.id, site.smtpServerId));
		if (!row) return;
		keptLastTest = {
			id: row.id,
			at: row.lastTestAt,
			ok: row.lastTestOk,
			summary: row.lastTestSummary
		};
		await db()
			.update(servers)
			.set({ lastTestAt: null, lastTestOk: null, lastTestSummary: null })
			.where(eq(servers.id, row.id));
	} else if (!untested && keptLastTest) {
		const kept = keptLastTest;
		keptLastTest = null;
		await db()
			.update(servers)
			.set({
				lastTestAt: kept.at,
				lastTestOk: kept.ok,
				lastTestSummary: kept.summary as typeof servers.$inferSelect.lastTestSummary
			})
			.where(eq(servers.id, kept.id));
	}
}
