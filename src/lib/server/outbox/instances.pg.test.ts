/**
 * Two Postern instances on one PostgreSQL deliver 2,000 messages between them, each exactly once: the queue
 * hands each job to one instance, and a message already sent is never claimed again. Runs in the PostgreSQL
 * phase of `npm test` (a `.pg.test.ts` file), where there is a PostgreSQL to share.
 */
import { afterEach, expect, it } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../testing/smtp-peers.js';
import { startInstance, type Instance } from '../testing/instance.js';
import { emptiedPostgresUrl } from '../testing/db.js';

const MESSAGES = 2000;
let sink: SmtpPeer | undefined;
let instances: Instance[] = [];

afterEach(async () => {
	for (const instance of instances) instance.child.kill('SIGKILL');
	instances = [];
	await sink?.close();
});

it('delivers each message once with two instances on one PostgreSQL', async () => {
	sink = await startSmtpPeer();
	const databaseUrl = await emptiedPostgresUrl();
	// A process creates the schema and the messages and exits; then two instances start delivering together, on
	// a full queue. The server allows 40 connections, so the queue's group leaves room for both (each keeps at
	// most 16 jobs in hand): with 3, the instance that frees a slot would take it again at once, and the other
	// would rightly wait.
	const producer = startInstance({
		databaseUrl,
		sinkPort: sink.port,
		enqueue: MESSAGES,
		enqueueOnly: true,
		maxConnections: 40
	});
	instances.push(producer);
	await producer.ready;
	const first = startInstance({ databaseUrl, sinkPort: sink.port, exitWhenDone: true });
	const second = startInstance({ databaseUrl, sinkPort: sink.port, exitWhenDone: true });
	instances.push(first, second);
	const [a, b] = await Promise.all([first.done, second.done]);
	expect(a).toEqual({ sent: MESSAGES });
	expect(b).toEqual({ sent: MESSAGES });
	const ids = sink.messages.map((m) => m.messageId);
	expect(ids).toHaveLength(MESSAGES);
	expect(new Set(ids).size).toBe(MESSAGES);
	const perInstance = [first, second].map((i) =>
		Number(/INSTANCE DELIVERED (\d+)/.exec(i.output())?.[1])
	);
	console.log(`two instances: ${perInstance.join(' + ')} = ${MESSAGES}, no duplicate`);
	expect(perInstance[0] + perInstance[1]).toBe(MESSAGES);
	expect(Math.min(...perInstance)).toBeGreaterThan(0);
}, 300_000);
