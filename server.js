// Postern's HTTP entry (`npm start`): serves the built app (build/handler.js) on HOST:PORT (default
// 0.0.0.0:3000).
//
// Why not adapter-node's own `node build`: adapter-node 6 assumes https whenever no origin is configured at
// build time, so plain-http form posts to http://localhost:3000 fail SvelteKit's CSRF origin check. Postern
// decides the request's origin here, at run time, from facts it can trust:
//   - POSTERN_PUBLIC_URL set: that origin, always (the usual setup behind a reverse proxy);
//   - POSTERN_TRUST_PROXY=true: X-Forwarded-Proto / X-Forwarded-Host / X-Forwarded-For from the proxy;
//   - otherwise: this socket's own protocol (plain http) and the Host header.
// Whatever a client sends in the internal x-postern-* headers is overwritten, never trusted.
// These four variables are declared and validated with all the others in src/env.ts: importing the handler
// starts the app, which validates them and stops with a clear message on a bad value.
import http from 'node:http';

process.env.PROTOCOL_HEADER = 'x-postern-proto';
process.env.HOST_HEADER = 'x-postern-host';
process.env.ADDRESS_HEADER = 'x-postern-client';

const { handler } = await import('./build/handler.js');

const publicUrl = process.env.POSTERN_PUBLIC_URL
	? new URL(process.env.POSTERN_PUBLIC_URL)
	: undefined;
const trustProxy = /^(1|true|yes|on)$/i.test(process.env.POSTERN_TRUST_PROXY ?? '');
const host = process.env.HOST || '0.0.0.0';
const port = Number(process.env.PORT || 3000);

/** First value of a possibly repeated, comma-separated header. */
function first(value) {
	const text = Array.isArray(value) ? value[0] : value;
	return text?.split(',')[0].trim() || undefined;
}

/** Right-most X-Forwarded-For entry: the address our proxy saw (entries to its left are client-supplied). */
function last(value) {
	const text = Array.isArray(value) ? value.join(',') : value;
	const parts = text
		?.split(',')
		.map((p) => p.trim())
		.filter(Boolean);
	return parts?.length ? parts[parts.length - 1] : undefined;
}

function decideOrigin(req) {
	const h = req.headers;
	let proto = 'http';
	let hostHeader = h.host;
	let client = req.socket.remoteAddress ?? '';
	if (trustProxy) {
		proto = first(h['x-forwarded-proto']) === 'https' ? 'https' : 'http';
		hostHeader = first(h['x-forwarded-host']) ?? hostHeader;
		client = last(h['x-forwarded-for']) ?? client;
	}
	if (publicUrl) {
		proto = publicUrl.protocol.slice(0, -1);
		hostHeader = publicUrl.host;
	}
	h['x-postern-proto'] = proto;
	h['x-postern-host'] = hostHeader ?? `localhost:${port}`;
	h['x-postern-client'] = client.replace(/^::ffff:/, '');
}

const server = http.createServer((req, res) => {
	decideOrigin(req);
	// adapter-node's static handler answers /_app/* and the static folder before SvelteKit's hooks (which set
	// this header on everything they answer) ever run: without it here, a browser could sniff those files into
	// another type than the one they are served as. SvelteKit later sets the same value on what it answers.
	res.setHeader('X-Content-Type-Options', 'nosniff');
	handler(req, res, () => {
		res.statusCode = 404;
		res.end('Not found');
	});
});

server.listen(port, host, () => {
	const shown = host === '0.0.0.0' ? 'localhost' : host;
	console.log(
		`Postern is listening on http://${shown}:${port}${publicUrl ? ` (public URL ${publicUrl.origin})` : ''}`
	);
});

let stopping = false;
function shutdown(reason) {
	if (stopping) return;
	stopping = true;
	server.close(() => {
		// SvelteKit's documented shutdown event: hooks.server.ts closes the database on it.
		process.emit('sveltekit:shutdown', reason);
		setTimeout(() => process.exit(0), 2000).unref();
	});
	server.closeIdleConnections();
	setTimeout(() => server.closeAllConnections(), 5000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
