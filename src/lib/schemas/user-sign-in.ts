/**
 * The end-user sign-in form (/login: domain, username, password), a plain HTML form read on the server.
 * The username is kept as typed (the directory decides what matches); the password is never trimmed.
 */
import { z } from 'zod';
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from './fields.js';

const noControlCharacter = (label: string) =>
	[(v: string) => !hasControlCharacter(v), CONTROL_CHARACTER_MESSAGE(label)] as const;

export const userSignInSchema = z.object({
	/** The domain's id from the list; an unknown one is answered like a wrong password. */
	domain: z
		.string()
		.max(64, 'Choose your domain.')
		.refine(...noControlCharacter('Domain')),
	username: z
		.string({ error: 'Enter your username.' })
		.max(256, 'Enter your username.')
		.refine((v) => v.trim() !== '', 'Enter your username.')
		.refine((v) => !/[\r\n]/.test(v), 'Enter your username.')
		.refine(
			(v) => !hasControlCharacter(v.replace(/[\r\n]/g, '')),
			CONTROL_CHARACTER_MESSAGE('Username')
		),
	password: z
		.string({ error: 'Enter your password.' })
		.min(1, 'Enter your password.')
		.max(1024, 'Enter your password.')
		.refine(...noControlCharacter('Password'))
});

export type UserSignInForm = z.infer<typeof userSignInSchema>;
