import { fail, redirect } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { loginSchema } from '#lib/schemas/auth.js';
import { signIn } from '#lib/server/auth/sign-in.js';
import { setSessionCookie } from '#lib/server/auth/session.js';
import { safeNextPath } from '#lib/server/auth/guard.js';
import { clientMeta } from '#lib/server/request.js';
import { dev } from '$app/env';
import { config } from '#lib/server/config.js';
import type { Actions, PageServerLoad } from './$types';

const NOTICES: Record<string, string> = {
	'signed-out': 'You have signed out.',
	'password-reset': 'Your password has been changed. Sign in with the new one.',
	expired: 'Your session ended. Sign in again.'
};

/** In mock mode only, the seeded accounts are shown on the page (they are printed in the terminal too). */
async function mockCredentials() {
	if (!dev || !config.mock) return null;
	const { getMockState } = await import('#lib/server/dev/mock-state.js');
	return getMockState()?.credentials ?? null;
}

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.admin) redirect(303, safeNextPath(url.searchParams.get('next')));
	return {
		form: await superValidate(zod4(loginSchema)),
		notice: NOTICES[url.searchParams.get('notice') ?? ''] ?? null,
		mockCredentials: await mockCredentials()
	};
};

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(loginSchema));
		const password = form.data.password;
		// The typed password is never sent back to the page.
		form.data.password = '';
		if (!form.valid) return fail(400, { form });

		const meta = clientMeta(event);
		const result = await signIn({
			username: form.data.username,
			password,
			ip: meta.ip,
			userAgent: meta.userAgent,
			previousToken: event.locals.sessionToken
		});
		if (!result.ok)
			return message(form, result.message, { status: result.reason === 'throttled' ? 429 : 400 });

		setSessionCookie(event.cookies, result.token, event.locals.secure);
		redirect(303, safeNextPath(event.url.searchParams.get('next')));
	}
};
