import { error, redirect } from '@sveltejs/kit';
import { dev } from '$app/env';
import { config } from '#lib/server/config.js';
import type { Actions, PageServerLoad } from './$types';

async function faults() {
	if (!dev || !config.mock) error(404, 'Not found');
	return import('#lib/server/dev/faults.js');
}

export const load: PageServerLoad = async () => {
	const f = await faults();
	return {
		faults: f.FAULTS.map(({ id, label, group }) => ({ id, label, group })),
		current: f.currentFault()
	};
};

export const actions: Actions = {
	default: async ({ request, url }) => {
		const f = await faults();
		const data = await request.formData();
		const id = String(data.get('fault') ?? 'none');
		if (!(await f.applyFault(id))) error(400, 'Unknown fault scenario');
		const back = url.searchParams.get('back');
		redirect(303, back && back.startsWith('/') && !back.startsWith('//') ? back : '/dev/faults');
	}
};
