/**
 * `npm run dev:mock`: the whole app with no outside service. A fresh in-memory database with seed data, the
 * embedded mail sink, and the mocked Microsoft identity platform (the msw handlers the tests use).
 * Imported only behind `dev` checks, so production builds do not contain it (tests/e2e checks the build).
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../db/open.js';
import { useDatabase } from '../db/index.js';
import { useSecretKey } from '../secrets.js';
import { completeSetup } from '../auth/admins.js';
import { startMailSink } from './mail-sink.js';
import { SINK_CERT, SINK_KEY } from './sink-cert.js';
import { getMockState, setMockState } from './mock-state.js';
import { registerGraphFaults, registerMicrosoftFaults } from './faults.js';
import { relayGraphMailToSink } from './graph-relay.js';
import { installMockLdap } from './mock-ldap.js';
import { seedMockData } from './seed.js';
import { routeMicrosoftSmtpToSink } from './smtp-routes.js';
import { useMicrosoftFetch } from '../mail/microsoft.js';
import {
	GRAPH_SCENARIOS,
	MICROSOFT_SCENARIOS,
	createMicrosoftMockFetch,
	setGraphScenario,
	setMicrosoftScenario
} from '../../../mocks/microsoft.js';

export const MOCK_ADMIN = {
	username: 'admin',
	password: 'Mock-Admin-Postern-2026',
	role: 'UI Admin'
};
export const MOCK_SUPPORT = {
	username: 'support',
	password: 'Mock-Support-Postern-2026',
	role: 'UI Primary Customer Support'
};

export async function startMockMode(): Promise<Database> {
	useSecretKey(randomBytes(32));
	const database = await openDatabase({ kind: 'memory' });
	useDatabase(database);
	const sink = getMockState()?.sink ?? (await startMailSink({ key: SINK_KEY, cert: SINK_CERT }));
	await completeSetup({
		adminUsername: MOCK_ADMIN.username,
		adminPassword: MOCK_ADMIN.password,
		supportUsername: MOCK_SUPPORT.username,
		supportPassword: MOCK_SUPPORT.password
	});
	// The Microsoft identity platform: the same msw handlers the tests use, behind the token client's fetch seam.
	useMicrosoftFetch(createMicrosoftMockFetch({ unhandled: 'bypass' }));
	// Microsoft's SMTP hosts (the site settings' fixed smtp.office365.com:587 among them) lead to the sink.
	routeMicrosoftSmtpToSink(sink.port, SINK_CERT);
	registerMicrosoftFaults(
		[...MICROSOFT_SCENARIOS].filter((s) => s.id !== 'success'),
		(id) => setMicrosoftScenario(id)
	);
	registerGraphFaults(
		[...GRAPH_SCENARIOS].filter((s) => s.id !== 'accepted'),
		(id) => setGraphScenario(id)
	);
	// what the mocked Graph accepts lands in the dev mailbox, like mail through the sink
	relayGraphMailToSink(sink.port);
	installMockLdap(); // ldap(s)://ldap.mock.test answered in memory (src/mocks/ldap.ts), LDAP faults
	setMockState({ sink, credentials: [MOCK_ADMIN, MOCK_SUPPORT] });
	const seeded = await seedMockData({ sinkPort: sink.port });
	setMockState({ sink, credentials: [MOCK_ADMIN, MOCK_SUPPORT], totpUser: seeded.totpUser });
	const lines = [
		'',
		'  Postern mock mode: in-memory database, nothing leaves this machine.',
		`  Mail sink:   127.0.0.1:${sink.port} (see /dev/mailbox)`,
		`  UI Admin:    ${MOCK_ADMIN.username} / ${MOCK_ADMIN.password}`,
		`  Support:     ${MOCK_SUPPORT.username} / ${MOCK_SUPPORT.password}`,
		''
	];
	console.log(lines.join('\n'));
	return database;
}
