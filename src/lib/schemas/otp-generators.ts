/**
 * The OTP token generator form (/admin/otp-generators), with its two types:
 * - "OTP – e-mail": Display name, SMTP server, Sender, code length (6-8), validity (default 5 min, at most 10);
 * - "OTP – Google Authenticator" (TOTP): Display name, "Display a QR code on the user portal", "Send generated
 *   keys by e-mail" (off by default), SMTP server and Sender (required only when keys are sent), the issuer
 *   shown in authenticator apps, SHA-1 / 6 digits / 30 s by default with SHA-256 / SHA-512, 8 digits and 60 s
 *   as options.
 *
 * A discriminated union on `type`, so each type validates only its own fields. Load functions pass
 * `otpGeneratorFormDefaults`, which carries every branch's fields, as in
 * `superValidate(zod4(otpGeneratorSchema, { defaults: otpGeneratorFormDefaults }))`.
 */
import { z } from 'zod';
import { OTP_TYPES, TOTP_ALGORITHMS } from '../choices/otp-generators.js';
import { singleLine, strictNumber, UUID_PATTERN } from './fields.js';

export {
	OTP_TYPES,
	TOTP_ALGORITHMS,
	TOTP_DIGITS,
	TOTP_PERIODS,
	OTP_TYPE_LABELS,
	TOTP_ALGORITHM_LABELS,
	EMAIL_OTP_NOTE,
	SEND_KEY_WARNING,
	otpGeneratorFormDefaults
} from '../choices/otp-generators.js';

/** One line of text; missing from the post (superforms reads an empty field of a union branch as absent) = empty. */
function line(label: string, max: number) {
	return singleLine(label, `Enter the ${label}.`).max(
		max,
		`${label} must be at most ${max} characters.`
	);
}

const optionalEmail = (label: string) =>
	line(label, 254)
		.default('')
		.refine(
			(v) => v === '' || z.email().safeParse(v).success,
			`${label} is not an e-mail address.`
		);

const optionalServer = singleLine('SMTP server')
	.default('')
	.refine((v) => v === '' || UUID_PATTERN.test(v), 'Choose an SMTP server from the list.');

const name = line('Display name', 100).min(1, 'Enter the display name.');

/** "Fallback SMTP server": optional, and another server than the generator's own. */
const fallbackServer = singleLine('Fallback SMTP server')
	.default('')
	.refine((v) => v === '' || UUID_PATTERN.test(v), 'Choose a fallback SMTP server from the list.');

function refuseSameFallback(
	v: { smtpServerId: string; fallbackSmtpServerId: string },
	ctx: z.RefinementCtx
) {
	if (v.fallbackSmtpServerId && v.fallbackSmtpServerId === v.smtpServerId)
		ctx.addIssue({
			code: 'custom',
			path: ['fallbackSmtpServerId'],
			message: 'Choose another server than the SMTP server itself, or none.'
		});
}

const emailOtp = z
	.object({
		type: z.literal('email'),
		name,
		smtpServerId: optionalServer.refine((v) => v !== '', 'Choose the SMTP server.'),
		fallbackSmtpServerId: fallbackServer,
		sender: optionalEmail('Sender').refine((v) => v !== '', 'Enter the sender address.'),
		codeLength: strictNumber(
			z
				.number({ error: 'Enter the code length (6 to 8 digits).' })
				.int('The code length is a whole number.')
				.min(6, 'Codes have 6 to 8 digits.')
				.max(8, 'Codes have 6 to 8 digits.')
		).default(6),
		validityMinutes: strictNumber(
			z
				.number({ error: 'Enter the validity in minutes (1 to 10).' })
				.int('The validity is a whole number of minutes.')
				.min(1, 'A code is valid for 1 to 10 minutes.')
				.max(10, 'A code is valid for 1 to 10 minutes.')
		).default(5)
	})
	.superRefine(refuseSameFallback);

const totp = z
	.object({
		type: z.literal('totp'),
		name,
		issuer: line('Issuer', 64)
			.min(1, 'Enter the issuer name shown in authenticator apps.')
			// The otpauth label is "issuer:account": a colon in the issuer would split it wrongly.
			.refine((v) => !v.includes(':'), 'The issuer must not contain a colon (:).')
			// superforms passes a blank field of one union branch as undefined: parse it as ''.
			.prefault(''),
		showQr: z.boolean().default(true),
		sendKeyByEmail: z.boolean().default(false),
		smtpServerId: optionalServer,
		fallbackSmtpServerId: fallbackServer,
		sender: optionalEmail('Sender'),
		algorithm: z
			.enum(TOTP_ALGORITHMS, { error: 'Choose SHA-1, SHA-256 or SHA-512.' })
			.default('sha1'),
		digits: strictNumber(
			z
				.number({ error: 'Choose 6 or 8 digits.' })
				.refine((v) => v === 6 || v === 8, 'Choose 6 or 8 digits.')
		).default(6),
		period: strictNumber(
			z
				.number({ error: 'Choose 30 or 60 seconds.' })
				.refine((v) => v === 30 || v === 60, 'Choose 30 or 60 seconds.')
		).default(30)
	})
	.superRefine((v, ctx) => {
		refuseSameFallback(v, ctx);
		if (!v.sendKeyByEmail) return;
		if (!v.smtpServerId)
			ctx.addIssue({
				code: 'custom',
				path: ['smtpServerId'],
				message: 'Choose the SMTP server the keys are sent through.'
			});
		if (!v.sender)
			ctx.addIssue({ code: 'custom', path: ['sender'], message: 'Enter the sender address.' });
	});

export const otpGeneratorSchema = z.discriminatedUnion('type', [emailOtp, totp], {
	error: 'Choose the OTP type.'
});

export type OtpGeneratorForm = z.infer<typeof otpGeneratorSchema>;
export type OtpType = (typeof OTP_TYPES)[number];
export type TotpAlgorithm = (typeof TOTP_ALGORITHMS)[number];

/** "Configuration test": mail a sample code (or key notice) to this address. */
export const otpGeneratorTestSchema = z.object({
	to: line('Destination address', 254)
		.min(1, 'Enter the address the test e-mail goes to.')
		.refine((v) => v === '' || z.email().safeParse(v).success, {
			message: 'Destination address is not an e-mail address.'
		})
});

export type OtpGeneratorTestRequest = z.infer<typeof otpGeneratorTestSchema>;
