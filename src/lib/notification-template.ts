/**
 * A notification profile's subject and body: plain text with named placeholders, `{{user}}` and so on. The same
 * code checks a template (the form, live, and the server on save), previews it in the editor and renders the
 * mail, so what the admin previews is what is sent. Admins write text, never HTML: the HTML part is made from
 * the rendered text with every character escaped, so neither a template nor a user name can add markup.
 */
import { escapeHtml, textToHtml } from './html-text.js';

export { escapeHtml, textToHtml };

export const PLACEHOLDERS = ['user', 'domain', 'application', 'time', 'ip', 'browser'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type LaunchFacts = Record<Placeholder, string>;

export const PLACEHOLDER_LABELS: Record<Placeholder, string> = {
	user: 'the user who launched it',
	domain: 'their identity provider',
	application: 'the application',
	time: 'when, in the site’s time zone',
	ip: 'their IP address',
	browser: 'their browser and system'
};

export const DEFAULT_SUBJECT_TEMPLATE = '{{user}} launched {{application}}';
export const DEFAULT_BODY_TEMPLATE = [
	'{{user}} ({{domain}}) launched {{application}} from the portal.',
	'',
	'Time: {{time}}',
	'IP address: {{ip}}',
	'Browser: {{browser}}'
].join('\n');

/** What the editor's preview fills in. */
export const SAMPLE_FACTS: LaunchFacts = {
	user: 'jdoe',
	domain: 'corp.example',
	application: 'PLC',
	time: '3 December 2026, 14:05 (Europe/Paris)',
	ip: '203.0.113.7',
	browser: 'Firefox 146 on Windows'
};

const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;

function isPlaceholder(name: string): name is Placeholder {
	return (PLACEHOLDERS as readonly string[]).includes(name);
}

/** The first problem with a template, in words for its field; null when it is fine. */
export function templateProblem(template: string): string | null {
	for (const match of template.matchAll(TOKEN))
		if (!isPlaceholder(match[1]))
			return `Unknown placeholder {{${match[1]}}}. Use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`;
	const rest = template.replace(TOKEN, '');
	if (rest.includes('{{') || rest.includes('}}'))
		return 'A placeholder is not closed: write it as {{user}}, with two braces on each side.';
	return null;
}

/** The template with each placeholder replaced by its fact (unknown ones are left as written). */
export function fillTemplate(template: string, facts: LaunchFacts): string {
	return template.replace(TOKEN, (whole, name: string) =>
		isPlaceholder(name) ? facts[name] : whole
	);
}

/** A subject stays on one line whatever a fact holds. */
export function fillSubject(template: string, facts: LaunchFacts): string {
	return fillTemplate(template, facts)
		.replace(/[\r\n]+/g, ' ')
		.trim();
}

export interface ProfileTemplates {
	profileName: string;
	subjectTemplate: string;
	bodyTemplate: string;
}

export interface RenderedMail {
	subject: string;
	text: string;
	html: string;
}

function footer(profileName: string) {
	return `You receive this because you are a recipient of the notification profile “${profileName.replace(/[\r\n]/g, ' ')}” in Postern.`;
}

/** One launch's mail. */
export function renderLaunchMail(profile: ProfileTemplates, facts: LaunchFacts): RenderedMail {
	const body = fillTemplate(profile.bodyTemplate, facts).trim();
	const note = footer(profile.profileName);
	return {
		subject: fillSubject(profile.subjectTemplate, facts),
		text: `${body}\n\n--\n${note}`,
		html: `${textToHtml(body)}\n<hr>\n<p style="color:#555;font-size:12px">${escapeHtml(note)}</p>`
	};
}

/** Launches grouped by the profile's window: one mail listing each launch as the body template renders it. */
export function renderDigestMail(
	profile: ProfileTemplates & { windowMinutes: number },
	launches: LaunchFacts[]
): RenderedMail {
	if (launches.length === 1) return renderLaunchMail(profile, launches[0]);
	const bodies = launches.map((facts) => fillTemplate(profile.bodyTemplate, facts).trim());
	const note = footer(profile.profileName);
	const minutes = `${profile.windowMinutes} minute${profile.windowMinutes === 1 ? '' : 's'}`;
	const intro = `${launches.length} launches within ${minutes}, oldest first:`;
	return {
		subject: `${launches.length} launches: ${fillSubject(profile.subjectTemplate, launches[0])} and more`,
		text: [intro, '', bodies.map((b, i) => `${i + 1}. ${b}`).join('\n\n'), '', '--', note].join(
			'\n'
		),
		html: [
			`<p>${escapeHtml(intro)}</p>`,
			'<ol>',
			...bodies.map((b) => `<li>${textToHtml(b)}</li>`),
			'</ol>',
			'<hr>',
			`<p style="color:#555;font-size:12px">${escapeHtml(note)}</p>`
		].join('\n')
	};
}
