/**
 * kill -9 in the middle of a 2,000-message run, then a new process on the same data folder: every message is
 * delivered; a message that was on the wire when the process died may arrive twice, with the same Message-ID,
 * and such duplicates are counted (at-least-once delivery; the Message-ID lets a mailbox tell them apart).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../testing/smtp-peers.js';
import { startInstance, type Instance } from '../testing/instance.js';
import { DEFAULT_LIMITS } from '../mail/limits.js';
import { MARK_SENT_EVERY } from './worker.js';

const MESSAGES = 2000;
/** The sink server's connections: createSinkServer leaves the default. */
const SINK_CONNECTIONS = DEFAULT_LIMITS.maxConnections;
let sink: SmtpPeer | undefined;
let instances: Instance[] = [];
let dataDir: string | undefined;

afterEach(async () => {
	for (const instance of instances) instance.child.kill('SIGKILL');
	instances = [];
	await sink?.close();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('loses nothing when the process is killed mid-run, and counts duplicates by Message-ID', async () => {
	sink = await startSmtpPeer();
	dataDir = mkdtempSync(path.join(tmpdir(), 'postern-crash-'));
	const first = startInstance({ dataDir, sinkPort: sink.port, enqueue: MESSAGES });
	instances.push(first);
	await first.ready;
	// kill -9 once a few hundred are out: messages are in every state, some on the wire
	const killAt = Date.now() + 60_000;
	while (sink.messages.length < 300 && Date.now() < killAt)
		await new Promise((resolve) => setTimeout(resolve, 5));
	first.child.kill('SIGKILL');
	await new Promise((resolve) => first.child.once('exit', resolve));
	const beforeRestart = sink.messages.length;
	expect(beforeRestart).toBeGreaterThanOrEqual(300);
	expect(beforeRestart).toBeLessThan(MESSAGES);

	const second = startInstance({ dataDir, sinkPort: sink.port, exitWhenDone: true });
	instances.push(second);
	const summary = await second.done;
	expect(summary).toEqual({ sent: MESSAGES });
	const ids = sink.messages.map((m) => m.messageId);
	const unique = new Set(ids);
	expect(unique.size).toBe(MESSAGES);
	const duplicates = ids.length - unique.size;
	console.log(
		`crash: killed after ${beforeRestart} delivered; ${MESSAGES} delivered in all, ${duplicates} duplicate(s), each with its message's Message-ID`
	);
	// a duplicate can only be a message on the wire at the kill, or sent but not yet written as sent: at most
	// MARK_SENT_EVERY and the one on the wire, per connection
	expect(duplicates).toBeLessThanOrEqual(SINK_CONNECTIONS * (MARK_SENT_EVERY + 1));
}, 300_000);
