/**
 * The dev toolbar's fault scenarios (mock mode only): each one makes the embedded sink, the mocked Microsoft
 * identity platform or the mocked LDAP directory fail the way real ones do, so every error screen can be
 * designed without a real failure.
 */
import type { SinkFault } from './mail-sink.js';
import { getMockState } from './mock-state.js';

export interface FaultScenario {
	id: string;
	label: string;
	group: 'SMTP' | 'Microsoft' | 'LDAP';
	sink?: SinkFault;
	microsoft?: string;
	ldap?: string;
}

export const FAULTS: FaultScenario[] = [
	{
		id: 'none',
		label: 'Everything works',
		group: 'SMTP',
		sink: 'none',
		microsoft: 'success',
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
	{ id: 'smtp-drop', label: 'Connection dropped', group: 'SMTP', sink: 'drop' }
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

export function applyFault(id: string): boolean {
	const scenario = FAULTS.find((f) => f.id === id);
	const state = getMockState();
	if (!scenario || !state) return false;
	state.sink.setFault(scenario.sink ?? 'none');
	microsoftSetter?.(scenario.microsoft ?? 'success');
	ldapSetter?.(scenario.ldap ?? 'success');
	current = id;
	return true;
}
