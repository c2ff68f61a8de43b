/**
 * A form body that cannot be read is the client's mistake: a 400 with a plain message, before any route sees
 * it. Without this, `request.formData()` throws inside an action (a multipart body with no or the wrong
 * boundary, a part that never ends) and the visitor gets a 500 for a request that never was a form.
 *
 * The body is parsed from a clone, so the route reads the original as usual; it is parsed twice, which the
 * adapter's body size limit keeps small. A body the adapter refused for its size keeps that answer (413).
 */
import type { Handle } from '@sveltejs/kit/hooks';

export const FORM_BODY_MESSAGE =
	'The form could not be read (a malformed form body). Reload the page and send the form again.';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'];

function hasFormBody(request: Request): boolean {
	if (!METHODS_WITH_BODY.has(request.method) || !request.body) return false;
	const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
	return FORM_TYPES.includes(type);
}

/** The HTTP status a failure already carries (the adapter's 413 for a body over the limit), if any. */
function statusOf(error: unknown): number | undefined {
	for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
		const status = (e as { status?: unknown }).status;
		if (typeof status === 'number') return status;
		e = (e as { cause?: unknown }).cause;
	}
	return undefined;
}

function refused(request: Request): Response {
	// use:enhance expects SvelteKit's JSON action result, and shows an `error` one as the error page
	if ((request.headers.get('accept') ?? '').includes('application/json'))
		return Response.json({ type: 'error', error: { message: FORM_BODY_MESSAGE } }, { status: 400 });
	return new Response(FORM_BODY_MESSAGE, {
		status: 400,
		headers: { 'content-type': 'text/plain; charset=utf-8' }
	});
}

export const formBody: Handle = async ({ event, resolve }) => {
	if (hasFormBody(event.request)) {
		try {
			await event.request.clone().formData();
		} catch (error) {
			if (statusOf(error) !== undefined) throw error;
			return refused(event.request);
		}
	}
	return resolve(event);
};
