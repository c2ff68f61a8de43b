/**
 * The guessability rule, asked live by the new-password fields (PasswordCriteria.svelte) so that the
 * dictionary behind it stays on the server. Open to everyone, like the pages that use it (first-run setup, a
 * reset link): it tells nothing but whether a password the caller typed is easy to guess, changes nothing and
 * logs nothing of the body. Its work is bounded, since a long password costs zxcvbn up to ~40 ms of CPU: a body
 * over 2 KB is refused, a password outside the length rule is not looked up, and each client address may ask
 * LOOKUPS_PER_MINUTE times a minute (counted in the database, so across instances); someone typing, asked
 * once per pause, stays far below it. Past it the field says nothing until the form is sent.
 */
import { error, json } from '@sveltejs/kit';
import { PASSWORD_MAX, PASSWORD_MIN } from '#lib/password-policy.js';
import { findGuessablePassword } from '#lib/server/password-rules.js';
import { takeRateLimit } from '#lib/server/rate-limit.js';
import { clientMeta } from '#lib/server/request.js';
import type { RequestHandler } from './$types';

const MAX_BODY_BYTES = 2048;
const LOOKUPS_PER_MINUTE = 60;

export const POST: RequestHandler = async (event) => {
	const { request } = event;
	const body = await request.text();
	if (body.length > MAX_BODY_BYTES) error(413, 'Too large');
	let input: unknown;
	try {
		input = JSON.parse(body);
	} catch {
		error(400, 'Send JSON: { "password": "…", "username": "…" }');
	}
	const { password, username } = (input ?? {}) as { password?: unknown; username?: unknown };
	if (typeof password !== 'string' || (username !== undefined && typeof username !== 'string'))
		error(400, 'Send JSON: { "password": "…", "username": "…" }');
	if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)
		return json({ guessable: null }, { headers: { 'cache-control': 'no-store' } });
	const { ip } = clientMeta(event);
	const allowed = await takeRateLimit(
		`password-check:${ip ?? 'unknown'}`,
		LOOKUPS_PER_MINUTE,
		60_000
	);
	if (!allowed.ok)
		return json(
			{ message: 'Too many checks; the password is checked when the form is sent.' },
			{ status: 429, headers: { 'retry-after': String(allowed.retryAfterSeconds) } }
		);
	const guessable = await findGuessablePassword(password, username ?? '');
	return json({ guessable }, { headers: { 'cache-control': 'no-store' } });
};
