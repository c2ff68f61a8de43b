/** Text for HTML, shared by the mail templates (server) and the notification preview (browser). */

/** Every character that could start markup escaped, so a name or an issuer can never inject any. */
export function escapeHtml(text: string): string {
	return text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
	);
}

/** Plain text as HTML: escaped, blank lines between paragraphs, single line breaks kept. */
export function textToHtml(text: string): string {
	return text
		.split(/\r?\n\s*\r?\n/)
		.map((paragraph) => `<p>${escapeHtml(paragraph.trim()).replace(/\r?\n/g, '<br>')}</p>`)
		.join('\n');
}
