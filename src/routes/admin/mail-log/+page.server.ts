import { fail } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { mailLogFilterSchema, resendSchema } from '#lib/schemas/mail-log.js';
import { listSmtpServers } from '#lib/server/mail/servers.js';
import {
	decodeCursor,
	listMailLog,
	readHourlyChart,
	readMailCounts,
	type MailLogFilter
} from '#lib/server/outbox/log.js';
import { resendMessage, whyNotResendable } from '#lib/server/resend.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

const filterAdapter = zod4(mailLogFilterSchema);
const resendAdapter = zod4(resendSchema);

export const load: PageServerLoad = async ({ url }) => {
	const filters = await superValidate(url, filterAdapter, { id: 'mail-log-filters' });
	// a filter with an error filters nothing: the others still apply
	const valid = (name: keyof typeof filters.data) =>
		filters.errors[name] ? '' : (filters.data[name] as string);
	const filter: MailLogFilter = {
		...(valid('kind') ? { kind: filters.data.kind as MailLogFilter['kind'] } : {}),
		...(valid('status') ? { status: filters.data.status as MailLogFilter['status'] } : {}),
		...(valid('server') ? { serverId: filters.data.server } : {}),
		...(valid('to') ? { recipient: filters.data.to } : {})
	};
	const after = url.searchParams.get('after');
	const cursor = decodeCursor(after) ? after : null;
	const [page, counts, chart, servers] = await Promise.all([
		listMailLog(filter, cursor),
		readMailCounts(),
		readHourlyChart(48),
		listSmtpServers()
	]);
	return {
		filters,
		filtered: Object.keys(filter).length > 0,
		paged: cursor !== null,
		entries: page.entries.map((e) => ({
			...e,
			createdAt: e.createdAt.toISOString(),
			sentAt: e.sentAt?.toISOString() ?? null,
			nextAttemptAt: e.nextAttemptAt?.toISOString() ?? null,
			notResendable: whyNotResendable(e.kind)
		})),
		next: page.next,
		counts,
		chart: chart.map((b) => ({ hour: b.hour.toISOString(), sent: b.sent, failed: b.failed })),
		servers: servers.map((s) => ({ id: s.id, name: s.name }))
	};
};

export const actions: Actions = {
	/** A failed row's Resend button. */
	resend: async (event) => {
		const form = await superValidate(event.request, resendAdapter, { id: 'resend' });
		if (!form.valid)
			return fail(400, { resendId: null, resendError: 'Choose a message of the log.' });
		const outcome = await resendMessage(form.data.id, {
			actor: event.locals.admin!.username,
			ip: clientMeta(event).ip
		});
		if (!outcome.ok) return fail(409, { resendId: form.data.id, resendError: outcome.message });
		return { resendId: form.data.id, resendNotice: outcome.message };
	}
};
