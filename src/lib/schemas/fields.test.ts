import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import {
	CONTROL_CHARACTER_MESSAGE,
	enteredPassword,
	inSentence,
	multiLine,
	newPassword,
	secretText,
	singleLine,
	strictNumber,
	username
} from './fields.js';

/** Every character the rules refuse in any text field, named for the failure message. */
const ALWAYS_REFUSED: Record<string, string> = {
	'NUL U+0000': '\u0000',
	'bell U+0007': '\u0007',
	'backspace U+0008': '\b',
	'vertical tab U+000B': '\v',
	'form feed U+000C': '\f',
	'escape U+001B': '\u001b',
	'unit separator U+001F': '\u001f',
	'DEL U+007F': '\u007f',
	'next line U+0085': '\u0085',
	'line separator U+2028': '\u2028',
	'paragraph separator U+2029': '\u2029',
	'lone high surrogate': '\ud800',
	'lone low surrogate': '\udfff'
};

function messages(schema: z.ZodType, value: unknown) {
	const result = schema.safeParse(value);
	return result.success ? [] : result.error.issues.map((i) => i.message);
}

describe('singleLine', () => {
	const field = singleLine('Display name');

	it.each(Object.entries(ALWAYS_REFUSED))('refuses %s inside the text', (_, character) => {
		expect(messages(field, `Re${character}lay`)).toEqual([
			CONTROL_CHARACTER_MESSAGE('Display name')
		]);
	});

	it('refuses a tab inside one line (tabs belong to multi-line text only)', () => {
		expect(messages(field, 'Re\tlay')).toEqual([CONTROL_CHARACTER_MESSAGE('Display name')]);
	});

	it('keeps refusing CR and LF with its own message (header injection)', () => {
		expect(messages(field, 'Relay\r\nBcc: x@example.com')).toContain(
			'Display name must be on one line.'
		);
		expect(messages(field, 'Re\nlay')).toContain('Display name must be on one line.');
	});

	it('accepts ordinary text, accents, emoji (a valid surrogate pair) and trims it', () => {
		expect(field.parse('  Relay é 中 📨  ')).toBe('Relay é 中 📨');
	});

	it('says what is missing when the field is absent', () => {
		expect(messages(singleLine('Name', 'Enter the name.'), undefined)).toEqual(['Enter the name.']);
	});
});

describe('multiLine', () => {
	const field = multiLine('CA certificate');

	it('allows tab, CR and LF', () => {
		expect(field.parse('line one\r\n\tline two\n')).toBe('line one\r\n\tline two\n');
	});

	it.each(Object.entries(ALWAYS_REFUSED))('refuses %s', (_, character) => {
		expect(messages(field, `line one\n${character}line two`)).toEqual([
			CONTROL_CHARACTER_MESSAGE('CA certificate')
		]);
	});
});

describe('secretText and the password fields', () => {
	it('keeps every other character as typed (no trimming)', () => {
		expect(secretText('Password', 1024).parse('  s3cret value  ')).toBe('  s3cret value  ');
		expect(newPassword.parse('  padded passphrase  ')).toBe('  padded passphrase  ');
		expect(enteredPassword.parse(' x ')).toBe(' x ');
	});

	it.each(Object.entries({ ...ALWAYS_REFUSED, tab: '\t', CR: '\r', LF: '\n' }))(
		'refuses %s in a secret, a new password and an entered password',
		(_, character) => {
			const typed = `violet kettle${character}drums at dawn`;
			expect(messages(secretText('Password', 1024), typed)).toEqual([
				CONTROL_CHARACTER_MESSAGE('Password')
			]);
			expect(messages(newPassword, typed)).toEqual([CONTROL_CHARACTER_MESSAGE('Password')]);
			expect(messages(enteredPassword, typed)).toEqual([CONTROL_CHARACTER_MESSAGE('Password')]);
		}
	);
});

describe('username', () => {
	it('refuses a NUL with a field error', () => {
		expect(messages(username(), 'site-admin\u0000')).not.toEqual([]);
	});
});

describe('strictNumber (through superValidate, as a form posts it)', () => {
	const schema = z.object({
		port: strictNumber(
			z
				.number({ error: 'Enter the port (1-65535).' })
				.int('The port is a whole number.')
				.min(1, 'The port is between 1 and 65535.')
				.max(65535, 'The port is between 1 and 65535.')
		),
		timeout: strictNumber(z.number().int().min(1).max(120)).default(15)
	});
	const adapter = zod4(schema);

	async function post(port: string) {
		const data = new FormData();
		data.set('port', port);
		return superValidate(data, adapter);
	}

	it('reads plain whole numbers', async () => {
		const form = await post('587');
		expect(form.valid).toBe(true);
		expect(form.data).toEqual({ port: 587, timeout: 15 });
		expect((await post(' 25 ')).data.port).toBe(25);
	});

	it.each([
		['1e308', 'The port is between 1 and 65535.'],
		['65536', 'The port is between 1 and 65535.'],
		['0', 'The port is between 1 and 65535.'],
		['-25', 'The port is between 1 and 65535.'],
		['99999999999999999999999', 'The port is between 1 and 65535.'],
		['1.5', 'The port is a whole number.'],
		['80abc', 'Enter the port (1-65535).'],
		['0x50', 'Enter the port (1-65535).'],
		['Infinity', 'Enter the port (1-65535).'],
		['NaN', 'Enter the port (1-65535).'],
		['2\u0000', 'Enter the port (1-65535).'],
		['', 'Enter the port (1-65535).']
	])('refuses %j with a field error instead of coercing it', async (posted, message) => {
		const form = await post(posted);
		expect(form.valid).toBe(false);
		expect(form.errors.port).toContain(message);
	});

	it('still takes numbers from the browser (client-side validation)', () => {
		expect(schema.parse({ port: 465 })).toEqual({ port: 465, timeout: 15 });
		expect(schema.safeParse({ port: 1e308 }).success).toBe(false);
		expect(schema.safeParse({ port: Number.NaN }).success).toBe(false);
	});
});

describe('inSentence', () => {
	it('lower-cases a label for a sentence but keeps words written in capitals', () => {
		expect(inSentence('Display name')).toBe('display name');
		expect(inSentence('UI Admin Username')).toBe('UI Admin Username');
		expect(inSentence('Tenant ID')).toBe('Tenant ID');
		expect(inSentence('A')).toBe('a');
	});
});
