/**
 * An SMTP sink that misbehaves on purpose, for the outbox's chaos tests: of every transaction, a share is
 * answered 451 (try again later), a share is dropped mid-DATA (the connection closes before the final dot), and
 * a share is refused 550. The decision is made per transaction from a seeded generator, so a run is repeatable.
 * It counts what it did, so a test can check the outbox's books against the sink's.
 */
import net from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ChaosOptions {
	/** Shares of transactions, 0 to 1. */
	tempFail?: number;
	drop?: number;
	reject?: number;
	seed?: number;
	/** Refuse a transaction with 432 4.3.2 while more than this many connections are open. */
	maxConnections?: number;
}

export interface ChaosSink {
	port: number;
	/** Message-ID of every message accepted (250 after the final dot), in order, duplicates included. */
	accepted: string[];
	counts: { tempFailed: number; dropped: number; rejected: number; overLimit: number };
	/** Most connections open at once. */
	peakConnections(): number;
	close(): Promise<void>;
}

/** mulberry32: a small seeded generator, good enough to pick faults. */
function generator(seed: number) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function smtpError(message: string, responseCode: number) {
	return Object.assign(new Error(message), { responseCode });
}

export async function startChaosSink(options: ChaosOptions = {}): Promise<ChaosSink> {
	const random = generator(options.seed ?? 1);
	const accepted: string[] = [];
	const counts = { tempFailed: 0, dropped: 0, rejected: 0, overLimit: 0 };
	let open = 0;
	let peak = 0;
	const sockets = new Set<net.Socket>();
	const server = new SMTPServer({
		name: 'chaos.postern.test',
		disabledCommands: ['STARTTLS', 'AUTH'],
		authOptional: true,
		disableReverseLookup: true,
		closeTimeout: 200,
		logger: false,
		onConnect(_session, callback) {
			callback();
		},
		onMailFrom(_address, _session, callback) {
			if (options.maxConnections && open > options.maxConnections) {
				counts.overLimit++;
				return callback(
					smtpError('4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded', 432)
				);
			}
			callback();
		},
		onData(stream, session, callback) {
			const roll = random();
			const tempFail = options.tempFail ?? 0;
			const drop = options.drop ?? 0;
			const reject = options.reject ?? 0;
			const chunks: Buffer[] = [];
			let dropped = false;
			stream.on('data', (chunk: Buffer) => {
				chunks.push(chunk);
				if (!dropped && roll >= tempFail && roll < tempFail + drop) {
					dropped = true;
					counts.dropped++;
					const connection = [
						...(server as unknown as { connections: Set<{ id: string; _socket: net.Socket }> })
							.connections
					].find((c) => c.id === session.id);
					connection?._socket.destroy();
				}
			});
			stream.on('end', () => {
				if (dropped) return;
				if (roll < tempFail) {
					counts.tempFailed++;
					return callback(smtpError('4.4.5 Insufficient system storage, try again later', 451));
				}
				if (roll >= tempFail + drop && roll < tempFail + drop + reject) {
					counts.rejected++;
					return callback(smtpError('5.7.1 Message rejected as spam by policy', 550));
				}
				const raw = Buffer.concat(chunks).toString('utf8');
				const id = /^message-id:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
				accepted.push(id);
				callback();
			});
		}
	});
	server.on('error', () => {
		// dropped connections are the point
	});
	server.server.on('connection', (socket: net.Socket) => {
		open++;
		peak = Math.max(peak, open);
		sockets.add(socket);
		socket.once('close', () => {
			open--;
			sockets.delete(socket);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.server.address() as net.AddressInfo).port,
		accepted,
		counts,
		peakConnections: () => peak,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			})
	};
}
