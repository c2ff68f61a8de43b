import { error, redirect } from '@sveltejs/kit';
import { dev } from '$app/env';
import { config } from '#lib/server/config.js';
import type { Actions, PageServerLoad } from './$types';

async function sink() {
	// `dev` is false in production builds, so this import and the mock code behind it are not bundled there.
	if (!dev || !config.mock) error(404, 'Not found');
	const { getMockState } = await import('#lib/server/dev/mock-state.js');
	const state = getMockState();
	if (!state) error(503, 'Mock mode has not started');
	return state.sink;
}

export const load: PageServerLoad = async ({ url }) => {
	const mailSink = await sink();
	const q = (url.searchParams.get('q') ?? '').trim().toLowerCase();
	const all = mailSink.messages();
	const list = (
		q
			? all.filter((m) =>
					[m.subject, m.from, m.to, m.text, m.envelopeTo.join(' ')].some((f) =>
						f.toLowerCase().includes(q)
					)
				)
			: all
	).map((m) => ({
		id: m.id,
		subject: m.subject,
		from: m.from,
		to: m.to,
		receivedAt: m.receivedAt,
		size: m.size
	}));
	const selectedId = Number(url.searchParams.get('id') ?? list[0]?.id ?? 0);
	const selected = mailSink.get(selectedId) ?? null;
	return { list, total: all.length, q, selected, sinkPort: mailSink.port };
};

export const actions: Actions = {
	clear: async () => {
		(await sink()).clear();
		redirect(303, '/dev/mailbox');
	}
};
