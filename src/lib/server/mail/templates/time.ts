/** Times in mail, as people read them: a long date and the time in the site's time zone, named. */
import { isTimeZone } from '../../../schemas/site.js';

export function formatTime(at: Date, timeZone: string): string {
	const zone = isTimeZone(timeZone) ? timeZone : 'UTC';
	const text = new Intl.DateTimeFormat('en-GB', {
		dateStyle: 'long',
		timeStyle: 'medium',
		timeZone: zone
	}).format(at);
	return `${text} (${zone})`;
}
