import { describe, expect, it } from 'vitest';
import { superValidate } from 'sveltekit-superforms';
import { zod4, zod4Client } from 'sveltekit-superforms/adapters';
import { createUserSchema, editUserSchema, setUserPasswordSchema } from './users.js';

function post(fields: Record<string, string | undefined>) {
	const data = new FormData();
	for (const [name, value] of Object.entries(fields))
		if (value !== undefined) data.set(name, value);
	return data;
}

const PASSWORD = 'a long enough passphrase';

describe('local user forms through superValidate (FormData)', () => {
	it('create: accepts a user with and without an e-mail', async () => {
		const a = zod4(createUserSchema);
		const withMail = await superValidate(
			post({
				username: 'jdoe',
				displayName: 'J. Doe',
				email: 'jdoe@example.com',
				password: PASSWORD
			}),
			a
		);
		expect(withMail.valid).toBe(true);
		expect(withMail.data).toEqual({
			username: 'jdoe',
			displayName: 'J. Doe',
			email: 'jdoe@example.com',
			password: PASSWORD,
			disabled: false
		});
		const noMail = await superValidate(
			post({ username: 'kiosk', password: PASSWORD, disabled: 'on' }),
			a
		);
		expect(noMail.valid).toBe(true);
		expect(noMail.data).toMatchObject({ email: '', disabled: true });
	});

	it('create: refuses bad usernames, short passwords, bad e-mails and CR/LF', async () => {
		const a = zod4(createUserSchema);
		const form = await superValidate(
			post({ username: 'j doe', displayName: 'J\nD', email: 'nope', password: 'short' }),
			a
		);
		expect(form.valid).toBe(false);
		expect(Object.keys(form.errors).sort()).toEqual([
			'displayName',
			'email',
			'password',
			'username'
		]);
		const crlf = await superValidate(
			post({ username: 'jdoe', email: 'a@example.com\r\nBcc: x@evil.test', password: PASSWORD }),
			a
		);
		expect(crlf.errors.email?.[0]).toMatch(/one line|not an e-mail/);
	});

	it('passwords are not trimmed', async () => {
		const form = await superValidate(
			post({ password: `  ${PASSWORD}  ` }),
			zod4(setUserPasswordSchema)
		);
		expect(form.valid).toBe(true);
		expect(form.data.password).toBe(`  ${PASSWORD}  `);
	});

	it('edit: no password field, disabled read from the checkbox', async () => {
		const form = await superValidate(
			post({ displayName: 'X', email: '', disabled: 'on', password: 'ignored' }),
			zod4(editUserSchema)
		);
		expect(form.valid).toBe(true);
		expect(form.data).toEqual({ displayName: 'X', email: '', disabled: true });
	});

	it('validates the same in the browser (zod4Client)', async () => {
		const client = zod4Client(createUserSchema);
		expect(
			(
				await client.validate({
					username: 'a',
					displayName: '',
					email: '',
					password: PASSWORD,
					disabled: false
				})
			).success
		).toBe(true);
		expect(
			(
				await client.validate({
					username: '',
					displayName: '',
					email: '',
					password: '',
					disabled: false
				})
			).success
		).toBe(false);
	});
});
