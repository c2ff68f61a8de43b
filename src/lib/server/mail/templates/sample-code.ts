/** An e-mail OTP generator's configuration test: what a code looks like, signing nobody in. */
import { oneLine } from './html.js';
import type { MailContent } from './types.js';

export function sampleCodeMail(facts: { generatorName: string; code: string }): MailContent {
	const name = oneLine(facts.generatorName);
	return {
		subject: `Test of the OTP generator "${name}"`,
		text: `This is a test of the OTP generator "${name}". A sign-in code looks like this: ${facts.code}\n\nThis sample code signs nobody in.`
	};
}
