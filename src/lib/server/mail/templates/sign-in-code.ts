/** The e-mail one-time code of a sign-in. */
import { escapeHtml, oneLine } from './html.js';
import type { MailContent } from './types.js';

export function signInCodeMail(facts: {
	code: string;
	/** The name the user knows the site by; Postern when none is set. */
	appName: string | null | undefined;
	validitySeconds: number;
}): MailContent {
	const minutes = Math.round(facts.validitySeconds / 60);
	const app = (facts.appName && oneLine(facts.appName)) || 'Postern';
	const validity = `${minutes} minute${minutes === 1 ? '' : 's'}`;
	const warning =
		'If you did not try to sign in, do not share this code: someone may know your password. Tell your administrator.';
	return {
		// Not the code itself: subjects show on lock screens and in mail lists.
		subject: `Your ${app} sign-in code`,
		text: [
			`Your sign-in code for ${app} is: ${facts.code}`,
			'',
			`It is valid for ${validity} and works once.`,
			warning
		].join('\n'),
		html: `<p>Your sign-in code for ${escapeHtml(app)} is:</p><p style="font-size:24px;font-family:monospace;letter-spacing:4px"><strong>${escapeHtml(facts.code)}</strong></p><p>It is valid for ${validity} and works once.</p><p>${warning}</p>`
	};
}
