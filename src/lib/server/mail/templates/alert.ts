/** An alert: it fired, it is still firing (a repeat), it got worse, it cleared, or an admin's test. */
import { escapeHtml, oneLine } from './html.js';
import type { MailContent } from './types.js';

export type AlertPhase = 'firing' | 'repeat' | 'worse' | 'resolved' | 'test';

export interface AlertMailFacts {
	title: string;
	phase: AlertPhase;
	/** What it is about: a server's name, an account. */
	about: string;
	/** Label → value, in order (e.g. "What failed" → "Authentication"). */
	facts: Record<string, string>;
	firedAt: string;
	resolvedAt?: string;
	occurrences: number;
	/** Where the admin looks next (the alerts history), when the console's address is known. */
	link?: string;
}

const LEADS: Record<AlertPhase, string> = {
	firing: 'An alert fired',
	repeat: 'This alert is still firing',
	worse: 'This alert got worse',
	resolved: 'Resolved: this alert cleared',
	test: 'A test alert, sent from the alerts page: nothing is wrong'
};

export function alertMail(facts: AlertMailFacts): MailContent {
	const tag = facts.phase === 'resolved' ? 'Resolved' : facts.phase === 'test' ? 'Test' : 'Alert';
	const subject = oneLine(`[Postern ${tag}] ${facts.title}: ${facts.about}`);
	const rows: [string, string][] = [
		...Object.entries(facts.facts),
		['Fired', facts.firedAt],
		...(facts.resolvedAt ? ([['Resolved', facts.resolvedAt]] as [string, string][]) : []),
		...(facts.occurrences > 1
			? ([['Occurrences', String(facts.occurrences)]] as [string, string][])
			: [])
	];
	const text = [
		`${LEADS[facts.phase]}: ${facts.title}`,
		facts.about,
		'',
		...rows.map(([label, value]) => `${label}: ${value}`),
		...(facts.link ? ['', `Alert history: ${facts.link}`] : []),
		'',
		'Sent by Postern. The alerts page chooses which alerts are sent and to whom.'
	].join('\n');
	const html = [
		`<p><strong>${escapeHtml(LEADS[facts.phase])}: ${escapeHtml(facts.title)}</strong><br>${escapeHtml(facts.about)}</p>`,
		'<table cellpadding="4" style="border-collapse:collapse">',
		...rows.map(
			([label, value]) =>
				`<tr><th align="left" valign="top">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`
		),
		'</table>',
		...(facts.link ? [`<p><a href="${escapeHtml(facts.link)}">Alert history</a></p>`] : []),
		'<p style="color:#666">Sent by Postern. The alerts page chooses which alerts are sent and to whom.</p>'
	].join('\n');
	return { subject, text, html };
}
