/** The authenticator (TOTP) key, mailed once at enrolment for users who cannot scan the QR code. */
import { escapeHtml, oneLine } from './html.js';
import type { MailContent } from './types.js';

export function totpKeyMail(facts: {
	issuer: string;
	account: string;
	/** The key as the user types it, in groups. */
	key: string;
	algorithmName: string;
	digits: number;
	period: number;
}): MailContent {
	const issuer = oneLine(facts.issuer);
	const lines = [
		`Your authenticator key for ${issuer} (account ${facts.account}):`,
		'',
		facts.key,
		'',
		`Add it to your authenticator app as a time-based key (${facts.algorithmName}, ${facts.digits} digits, ${facts.period} seconds), then enter the code it shows on the sign-in page.`,
		'Keep this e-mail private, or delete it once the key is added: anyone with the key can make your codes.',
		'If you did not just sign in, tell your administrator.'
	];
	return {
		subject: `Your ${issuer} authenticator key`,
		text: lines.join('\n'),
		html: lines.map((l) => (l ? `<p>${escapeHtml(l)}</p>` : '')).join('')
	};
}
