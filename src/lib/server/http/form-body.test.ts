import { describe, expect, it, vi } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { FORM_BODY_MESSAGE, formBody } from './form-body.js';

const MALFORMED = [
	// a boundary that never appears in the body
	{ type: 'multipart/form-data; boundary=nothing-like-it', body: 'username=alice' },
	// a part that never ends
	{
		type: 'multipart/form-data; boundary=b',
		body: '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice'
	},
	// no boundary at all
	{ type: 'multipart/form-data', body: '--b\r\n\r\n--b--' }
];

function request(contentType: string, body: string, headers: Record<string, string> = {}) {
	return new Request('http://postern.test/login', {
		method: 'POST',
		headers: { 'content-type': contentType, ...headers },
		body
	});
}

async function run(req: Request) {
	const resolve = vi.fn(async (event: RequestEvent) => {
		// what an action does: read the form
		const data = await event.request.formData();
		return new Response(`read ${[...data.keys()].join(',')}`);
	});
	const response = await formBody({ event: { request: req } as RequestEvent, resolve } as never);
	return { response, resolve };
}

describe('formBody', () => {
	it.each(MALFORMED)('answers 400 to a malformed form body ($type)', async ({ type, body }) => {
		const { response, resolve } = await run(request(type, body));
		expect(response.status).toBe(400);
		expect(await response.text()).toContain(FORM_BODY_MESSAGE);
		expect(resolve).not.toHaveBeenCalled();
	});

	it('answers use:enhance with an action result it can show', async () => {
		const { type, body } = MALFORMED[0];
		const { response } = await run(
			request(type, body, { accept: 'application/json', 'x-sveltekit-action': 'true' })
		);
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({
			type: 'error',
			error: { message: FORM_BODY_MESSAGE }
		});
	});

	it('passes a well-formed form on with its body still readable', async () => {
		const form = new FormData();
		form.set('username', 'alice');
		form.set('password', 'x');
		const req = new Request('http://postern.test/login', { method: 'POST', body: form });
		const { response, resolve } = await run(req);
		expect(resolve).toHaveBeenCalledOnce();
		expect(await response.text()).toBe('read username,password');
		const urlencoded = await run(request('application/x-www-form-urlencoded', 'a=1&b=2'));
		expect(await urlencoded.response.text()).toBe('read a,b');
	});

	it('leaves other bodies and methods alone', async () => {
		const resolve = vi.fn(async () => new Response('ok'));
		const json = new Request('http://postern.test/api', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{'
		});
		await formBody({ event: { request: json } as RequestEvent, resolve } as never);
		const get = new Request('http://postern.test/login');
		await formBody({ event: { request: get } as RequestEvent, resolve } as never);
		expect(resolve).toHaveBeenCalledTimes(2);
	});
});
