import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, maySkipSetupCode } from './setup-access.js';

const plain = new Headers();
const forwarded = new Headers({ 'x-forwarded-for': '203.0.113.9' });

describe('isLoopbackAddress', () => {
	it('knows IPv4 127/8, IPv6 ::1 and IPv4-mapped loopback, and nothing else', () => {
		for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
			expect(isLoopbackAddress(ip), ip).toBe(true);
		for (const ip of ['10.0.0.1', '192.168.1.127', '::', '::2', '128.0.0.1', '', undefined])
			expect(isLoopbackAddress(ip), String(ip)).toBe(false);
	});
});

describe('maySkipSetupCode', () => {
	const base = {
		trustLoopback: true,
		trustProxy: false,
		publicUrl: undefined,
		clientAddress: '127.0.0.1',
		headers: plain
	};

	it('lets a loopback request through only when POSTERN_SETUP_TRUST_LOOPBACK is on', () => {
		expect(maySkipSetupCode(base)).toBe(true);
		expect(maySkipSetupCode({ ...base, trustLoopback: false })).toBe(false);
	});

	it('never lets another address through', () => {
		expect(maySkipSetupCode({ ...base, clientAddress: '192.0.2.10' })).toBe(false);
		expect(maySkipSetupCode({ ...base, clientAddress: undefined })).toBe(false);
	});

	it('refuses when a proxy on this machine relayed the request (the socket is the proxy)', () => {
		expect(maySkipSetupCode({ ...base, headers: forwarded })).toBe(false);
		expect(maySkipSetupCode({ ...base, headers: new Headers({ forwarded: 'for=1.2.3.4' }) })).toBe(
			false
		);
		expect(maySkipSetupCode({ ...base, headers: new Headers({ 'x-real-ip': '1.2.3.4' }) })).toBe(
			false
		);
		// behind a proxy (public URL set) the socket address says nothing about the client
		expect(maySkipSetupCode({ ...base, publicUrl: 'https://postern.example' })).toBe(false);
	});

	it('behind a trusted proxy, trusts the address the proxy reported, and only that', () => {
		const viaProxy = { ...base, trustProxy: true };
		// the proxy said the browser is on loopback (server.js took the right-most X-Forwarded-For)
		expect(
			maySkipSetupCode({ ...viaProxy, headers: new Headers({ 'x-forwarded-for': '127.0.0.1' }) })
		).toBe(true);
		// no X-Forwarded-For: the address is the proxy's own socket, not the browser's
		expect(maySkipSetupCode({ ...viaProxy, headers: plain })).toBe(false);
		expect(
			maySkipSetupCode({ ...viaProxy, clientAddress: '203.0.113.9', headers: forwarded })
		).toBe(false);
	});
});
