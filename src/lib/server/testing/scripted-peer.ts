/**
 * A raw TCP peer on loopback that answers with whatever a test scripts: a service that is not SMTP at all
 * (an SSH banner, an HTTP answer), or an SMTP dialogue that breaks at a chosen moment. smtp-server cannot do
 * either: it always greets properly and always answers the final dot.
 */
import net from 'node:net';

export interface ScriptedPeer {
	port: number;
	/** Everything the client sent, as text. */
	received(): string;
	close(): Promise<void>;
}

export interface PeerScript {
	/** Written as soon as a client connects. */
	onConnect?: (socket: net.Socket) => void;
	/** Called with everything received so far, after each chunk. */
	onData?: (socket: net.Socket, received: string) => void;
}

export async function startScriptedPeer(script: PeerScript): Promise<ScriptedPeer> {
	let all = '';
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => socket.destroy());
		let received = '';
		socket.on('data', (chunk) => {
			received += chunk.toString('latin1');
			all += chunk.toString('latin1');
			script.onData?.(socket, received);
		});
		script.onConnect?.(socket);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as net.AddressInfo).port,
		received: () => all,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			})
	};
}

/**
 * A plain SMTP server that drops the connection at `dropAt`: on the DATA command (nothing of the message was
 * sent), or after the whole message instead of answering its final dot, the moment RFC 1047 is about, when
 * the client cannot know whether the message was delivered.
 */
export function smtpDroppingAt(dropAt: 'data-command' | 'final-dot'): PeerScript {
	let handled = 0;
	let dataFrom: number | null = null;
	return {
		onConnect: (socket) => socket.write('220 peer.example.test ESMTP\r\n'),
		onData: (socket, received) => {
			if (dataFrom !== null) {
				if (received.slice(dataFrom).includes('\r\n.\r\n')) socket.destroy();
				return;
			}
			const lines = received.split('\r\n').slice(0, -1);
			for (const line of lines.slice(handled)) {
				handled++;
				if (/^DATA$/i.test(line)) {
					if (dropAt === 'data-command') return void socket.destroy();
					dataFrom = received.indexOf('DATA\r\n') + 4;
					return void socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
				}
				socket.write(/^(EHLO|HELO)\b/i.test(line) ? '250 peer.example.test\r\n' : '250 OK\r\n');
			}
		}
	};
}
