import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX, PASSWORD_MIN, checkPasswordShape } from '../password-policy.js';
import { findGuessablePassword, findPasswordProblem } from './password-rules.js';
import { newPassword } from '../schemas/fields.js';

const STRONG = 'violet kettle drums at dawn';

describe('password policy', () => {
	it('needs 12 to 128 characters', async () => {
		expect(PASSWORD_MIN).toBe(12);
		expect(PASSWORD_MAX).toBe(128);
		expect(await findPasswordProblem('Vk9#mQ2$vLx', 'alice')).toBe('Use at least 12 characters.');
		expect(await findPasswordProblem('Vk9#mQ2$vLxz', 'alice')).toBeNull();
		const long = 'Vk9#mQ2$vL'.repeat(13);
		expect(await findPasswordProblem(long.slice(0, 128), 'alice')).toBeNull();
		expect(await findPasswordProblem(long.slice(0, 129), 'alice')).toBe(
			'Use at most 128 characters.'
		);
	});

	it('counts characters as typed: nothing is trimmed', async () => {
		// 10 visible characters and two spaces: 12, accepted as they are
		expect(await findPasswordProblem(' Vk9#mQ2$vL ', 'alice')).toBeNull();
		// 11 characters only because of the spaces: still too short, spaces are not padding to be stripped
		expect(await findPasswordProblem(' Vk9#mQ2$v ', 'alice')).toBe('Use at least 12 characters.');
		expect(newPassword.parse('  padded passphrase  ')).toBe('  padded passphrase  ');
	});

	it('refuses control characters (a NUL, a tab, a line break, a lone surrogate)', async () => {
		for (const character of ['\u0000', '\t', '\n', '\u007f', '\u2028', '\ud800'])
			expect(await findPasswordProblem(`violet kettle${character}drums at dawn`, 'alice')).toBe(
				'The password contains a control character (an invisible character such as NUL): remove it.'
			);
		// an emoji is a surrogate pair, not a control character
		expect(await findPasswordProblem('violet kettle 📨 drums at dawn', 'alice')).toBeNull();
	});

	it('refuses the username as the password, in any letter case', async () => {
		expect(await findPasswordProblem('Administrator', 'administrator')).toBe(
			'The password must not be the username.'
		);
		expect(await findPasswordProblem('ADMINISTRATOR', 'administrator')).toBe(
			'The password must not be the username.'
		);
	});

	it('refuses common passwords and keyboard patterns', async () => {
		for (const common of [
			'password1234',
			'qwertyuiop123',
			'Password1234',
			'123456789012',
			'iloveyou1234',
			'aaaaaaaaaaaa',
			'1q2w3e4r5t6y'
		]) {
			expect(await findPasswordProblem(common, 'alice'), common).toMatch(/^Too easy to guess/);
		}
	});

	it('refuses a password that is only the username with a little added', async () => {
		expect(await findGuessablePassword('margaret.hamilton1', 'margaret.hamilton')).toMatch(
			/^Too easy to guess/
		);
	});

	it('accepts long unusual passphrases', async () => {
		expect(await findPasswordProblem(STRONG, 'alice')).toBeNull();
		expect(await findPasswordProblem('Zebra-Quartz-Mango-47', 'alice')).toBeNull();
	});

	it('reports the shape rules for the live criteria list', () => {
		expect(checkPasswordShape('', 'alice')).toEqual([
			{ id: 'length', label: '12 to 128 characters', ok: false },
			{ id: 'username', label: 'Not the username', ok: false }
		]);
		expect(checkPasswordShape(STRONG, 'alice').every((r) => r.ok)).toBe(true);
		expect(checkPasswordShape('Alice', 'alice')[1].ok).toBe(false);
	});
});
