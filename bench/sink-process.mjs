// A local SMTP sink in its own process, so its work does not share the event loop (or the core) with the
// clients being timed. `node bench/sink-process.mjs smtp-server|instant`; talks to its parent over IPC:
// sends { port } once listening, answers 'count' with { received }, exits on 'close'.
//   smtp-server: the library the tests use (100 ms early-talker delay before its greeting, like a real server's
//                greeting wait), no TLS, no AUTH, messages read and dropped;
//   instant:     a minimal ESMTP responder that answers at once, to show the cost of the client side alone.
import net from 'node:net';
import { SMTPServer } from 'smtp-server';

const kind = process.argv[2];
let received = 0;

function startInstant() {
	const server = net.createServer((socket) => {
		socket.on('error', () => {});
		socket.setNoDelay(true);
		let buffer = '';
		let inData = false;
		socket.write('220 bench.postern.test ESMTP\r\n');
		socket.on('data', (chunk) => {
			buffer += chunk.toString('latin1');
			for (;;) {
				if (inData) {
					const end = buffer.indexOf('\r\n.\r\n');
					if (end === -1) return;
					buffer = buffer.slice(end + 5);
					inData = false;
					received++;
					socket.write('250 2.0.0 OK queued\r\n');
					continue;
				}
				const eol = buffer.indexOf('\r\n');
				if (eol === -1) return;
				const verb = buffer.slice(0, 4).toUpperCase();
				buffer = buffer.slice(eol + 2);
				if (verb === 'EHLO')
					socket.write('250-bench.postern.test\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n');
				else if (verb === 'DATA') {
					inData = true;
					socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
				} else if (verb === 'QUIT') return void socket.end('221 2.0.0 Bye\r\n');
				else socket.write('250 2.0.0 OK\r\n');
			}
		});
	});
	server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
}

function startSmtpServer() {
	const server = new SMTPServer({
		disabledCommands: ['STARTTLS', 'AUTH'],
		authOptional: true,
		disableReverseLookup: true,
		logger: false,
		onData(stream, _session, callback) {
			stream.on('data', () => {});
			stream.on('end', () => {
				received++;
				callback();
			});
		}
	});
	server.on('error', () => {});
	server.listen(0, '127.0.0.1', () => process.send({ port: server.server.address().port }));
}

process.on('message', (message) => {
	if (message === 'count') process.send({ received });
	if (message === 'close') process.exit(0);
});
process.on('disconnect', () => process.exit(0));

if (kind === 'instant') startInstant();
else if (kind === 'smtp-server') startSmtpServer();
else {
	console.error(`unknown sink "${kind}"`);
	process.exit(2);
}
