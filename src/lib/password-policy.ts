/**
 * The password rules (SECURITY.md, ASVS 5.0 6.2.x): 12 to 128 characters, never trimmed, not the username,
 * not a common or easily guessed password. Shared by the forms (live, as the user types) and the server.
 * The guessability check uses zxcvbn-ts with its common-password list (about 30,000 leaked passwords, with
 * l33t, reversed and keyboard-pattern variants), loaded on demand. The English word lists are left out on
 * purpose: they add 1.2 MB to the browser for little gain over the password list.
 * Control characters are refused like in every other field (schemas/control-characters.ts).
 */
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from './schemas/control-characters.js';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export interface PasswordCheck {
	id: 'length' | 'username' | 'common';
	label: string;
	ok: boolean | undefined;
}

type Guesser = (password: string, userInputs: string[]) => { score: number };
let guesser: Promise<Guesser> | undefined;

/** Loads zxcvbn-ts and its dictionaries once. */
export function loadGuesser(): Promise<Guesser> {
	guesser ??= (async () => {
		const [{ ZxcvbnFactory }, common] = await Promise.all([
			import('@zxcvbn-ts/core'),
			import('@zxcvbn-ts/language-common')
		]);
		const factory = new ZxcvbnFactory({
			dictionary: common.dictionary,
			graphs: common.adjacencyGraphs
		});
		return (password: string, userInputs: string[]) => {
			// zxcvbn's cost grows with length; the rules cap length at 128 anyway.
			const result = factory.check(password.slice(0, PASSWORD_MAX), userInputs);
			return { score: result.score };
		};
	})();
	return guesser;
}

/** zxcvbn score 3 = "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_SCORE = 3;

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

/** Returns a reason when the password is too common or easy to guess, else null. */
export async function findGuessablePassword(
	password: string,
	username: string
): Promise<string | null> {
	const guess = await loadGuesser();
	const { score } = guess(password, username ? [username] : []);
	if (score >= MIN_SCORE) return null;
	return 'Too easy to guess: it is a common password, a keyboard pattern or close to one.';
}

/** Every rule at once, for the server. Returns the first failure's message, or null. */
export async function findPasswordProblem(
	password: string,
	username: string
): Promise<string | null> {
	if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
	if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
	if (hasControlCharacter(password)) return CONTROL_CHARACTER_MESSAGE('The password');
	if (username && password.toLowerCase() === username.toLowerCase())
		return 'The password must not be the username.';
	return findGuessablePassword(password, username);
}
