/**
 * The password rules on the server: the shape (password-policy.ts) and whether the password is common or easy
 * to guess. That check uses zxcvbn-ts with its common-password list (about 30,000 leaked passwords, with l33t,
 * reversed and keyboard-pattern variants), loaded on first use; the English word lists are left out, they add
 * 1.2 MB for little gain over the password list. The forms ask it live through /password-check, so the
 * dictionary never goes to a browser. Control characters are refused like in every other field
 * (schemas/control-characters.ts).
 */
import { PASSWORD_MAX, PASSWORD_MIN } from '../password-policy.js';
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from '../schemas/control-characters.js';

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
