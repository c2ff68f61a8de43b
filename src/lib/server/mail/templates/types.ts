/** What a template makes of its facts. */
export interface MailContent {
	subject: string;
	text: string;
	html?: string;
}
