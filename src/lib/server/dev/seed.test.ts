/**
 * The mock seed gives every screen something to show; here: notification profiles that really send. A launch
 * of the seeded PLC application puts the enabled profile's mail into a real loopback sink.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import type { Database } from '../db/index.js';
import { startSmtpPeer, type SmtpPeer } from '../testing/smtp-peers.js';
import { closeAllTransports } from '../mail/transport.js';
import { startOutbox, stopOutbox } from '../outbox/lifecycle.js';
import { startNotifications, stopNotifications } from '../notify/lifecycle.js';
import { listNotificationProfiles } from '../notify/profiles.js';
import { recordLaunch } from '../login/portal.js';
import { seedMockData } from './seed.js';

let database: Database;
let peer: SmtpPeer;

beforeEach(async () => {
	database = await freshTestDatabase();
	await startOutbox(database);
	await startNotifications();
	peer = await startSmtpPeer();
});

afterEach(async () => {
	await stopNotifications();
	await stopOutbox();
	await closeAllTransports();
	await peer.close();
	await database.close();
});

it('seeds two notification profiles; a launch of PLC mails the enabled one’s two recipients', async () => {
	const seeded = await seedMockData({ sinkPort: peer.port });
	const profiles = await listNotificationProfiles();
	expect(profiles.map((p) => [p.name, p.enabled]).sort()).toEqual([
		['Every launch (5-minute digest)', false],
		['PLC launches', true]
	]);
	const [plcId] = seeded.identity.applicationIds;
	const [user] = seeded.identity.users;
	const launched = await recordLaunch(
		{
			id: 'session',
			domainId: user.domainId,
			domainName: 'seeded',
			userId: null,
			personKey: user.username,
			username: user.username,
			displayName: user.username,
			email: user.email,
			signedInAt: new Date(),
			expiresAt: new Date(Date.now() + 3600_000)
		},
		plcId,
		'127.0.0.1',
		'Mozilla/5.0 (X11; Linux x86_64; rv:146.0) Gecko/20100101 Firefox/146.0'
	);
	expect(launched).toMatchObject({ ok: true });
	await expect
		.poll(() => peer.messages.map((m) => m.envelopeTo[0]).sort(), { timeout: 15_000 })
		.toEqual(['ops@postern.test', 'security@postern.test']);
	expect(peer.messages[0].subject).toBe(`${user.username} launched PLC`);
});
