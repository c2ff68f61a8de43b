/**
 * The password rules (SECURITY.md, ASVS 5.0 6.2.x): 12 to 128 characters, never trimmed, not the username,
 * not a common or easily guessed password. What the browser can tick as the user types (length, username) is
 * here; the guessability check needs a dictionary and runs on the server only (server/password-rules.ts,
 * asked live through /password-check), so no page downloads it.
 */

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export interface PasswordCheck {
	id: 'length' | 'username' | 'common';
	label: string;
	ok: boolean | undefined;
}

export function checkPasswordShape(password: string, username: string): PasswordCheck[] {
	return [
		{
			id: 'length',
			label: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters`,
			ok: password.length >= PASSWORD_MIN && password.length <= PASSWORD_MAX
		},
		{
			id: 'username',
			label: 'Not the username',
			ok: password.length === 0 ? false : password.toLowerCase() !== username.toLowerCase()
		}
	];
}
