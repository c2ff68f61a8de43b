/** HTML for mail bodies: text escaped for HTML, so a name or an issuer can never inject markup. */
export function escapeHtml(text: string): string {
	return text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
	);
}

/** A header value on one line: a display name typed with a line break cannot add a header. */
export function oneLine(text: string): string {
	return text.replace(/[\r\n]/g, ' ');
}
