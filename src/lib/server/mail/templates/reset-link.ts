/** A console account's password-reset link. */
import type { MailContent } from './types.js';

export function resetLinkMail(facts: {
	username: string;
	link: string;
	minutes: number;
}): MailContent {
	return {
		subject: 'Reset your Postern password',
		text: [
			`Someone (hopefully you) asked to reset the password of the Postern console account "${facts.username}".`,
			'',
			`Open this link within ${facts.minutes} minutes to choose a new password. It works once:`,
			facts.link,
			'',
			'If you did not ask for this, ignore this e-mail: your password stays as it is.'
		].join('\n')
	};
}
