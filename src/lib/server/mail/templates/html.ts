/** HTML for mail bodies: text escaped for HTML, so a name or an issuer can never inject markup. */
export { escapeHtml, textToHtml } from '../../../html-text.js';

/** A header value on one line: a display name typed with a line break cannot add a header. */
export function oneLine(text: string): string {
	return text.replace(/[\r\n]/g, ' ');
}
