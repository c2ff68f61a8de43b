import { describe, expect, it } from 'vitest';
import { superValidate } from 'sveltekit-superforms';
import { zod4, zod4Client } from 'sveltekit-superforms/adapters';
import { applicationFormDefaults, applicationSchema, isWebUrl } from './applications.js';

const adapter = zod4(applicationSchema, { defaults: applicationFormDefaults });

function post(fields: Record<string, string>) {
	const data = new FormData();
	for (const [name, value] of Object.entries(fields)) data.set(name, value);
	return data;
}

describe('application form through superValidate (FormData)', () => {
	it('starts blank', async () => {
		const form = await superValidate(adapter);
		expect(form.data).toEqual({ name: '', url: '', description: '' });
		expect(form.errors).toEqual({});
	});

	it('accepts a name, an https URL and a multi-line description, trimmed', async () => {
		const form = await superValidate(
			post({ name: ' PLC ', url: 'https://plc.example.com/hmi ', description: 'Line 1\nLine 2' }),
			adapter
		);
		expect(form.valid).toBe(true);
		expect(form.data).toEqual({
			name: 'PLC',
			url: 'https://plc.example.com/hmi',
			description: 'Line 1\nLine 2'
		});
	});

	it.each([
		'javascript:alert(1)',
		'data:text/html,hi',
		'ftp://files.example.com',
		'example.com',
		'https://'
	])('refuses %s as a URL', async (url) => {
		const form = await superValidate(post({ name: 'X', url, description: '' }), adapter);
		expect(form.valid).toBe(false);
		expect(form.errors.url?.[0]).toMatch(/https:\/\//);
	});

	it('refuses CR/LF in the name and requires name and URL', async () => {
		const crlf = await superValidate(
			post({ name: 'PLC\r\nBcc: x@evil.test', url: 'https://a.example', description: '' }),
			adapter
		);
		expect(crlf.errors.name).toEqual(['Name must be on one line.']);
		const empty = await superValidate(post({ name: '', url: '' }), adapter);
		expect(empty.errors.name).toEqual(['Enter the name.']);
		expect(empty.errors.url).toEqual(['Enter the URL.']);
	});

	it('validates the same in the browser (zod4Client)', async () => {
		const client = zod4Client(applicationSchema);
		expect(
			(await client.validate({ name: 'A', url: 'http://a.example', description: '' })).success
		).toBe(true);
		expect(
			(await client.validate({ name: 'A', url: 'javascript:x', description: '' })).success
		).toBe(false);
	});

	it('isWebUrl accepts only http and https with a host', () => {
		expect(isWebUrl('https://a.example:8443/x?y#z')).toBe(true);
		expect(isWebUrl('HTTP://A.EXAMPLE')).toBe(true);
		expect(isWebUrl('javascript://a.example/%0Aalert(1)')).toBe(false);
		expect(isWebUrl('not a url')).toBe(false);
	});
});
