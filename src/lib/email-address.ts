/**
 * Whether text is an e-mail address, by the same pattern as the schemas' `z.email()` (zod's own), imported
 * alone so browser code can check an address without shipping zod.
 */
import { regexes } from 'zod/v4/core';

export function isEmailAddress(text: string): boolean {
	return regexes.email.test(text);
}
