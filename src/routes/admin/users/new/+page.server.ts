import { error, fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { createUserSchema } from '#lib/schemas/users.js';
import { getDomain } from '#lib/server/identity/domains.js';
import { createLocalUser } from '#lib/server/identity/users.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

const adapter = zod4(createUserSchema);

async function localDomain(url: URL) {
	const domain = await getDomain(url.searchParams.get('domain') ?? '');
	if (!domain || domain.kind !== 'local') error(404, 'No such local identity provider');
	return domain;
}

export const load: PageServerLoad = async ({ url }) => {
	const domain = await localDomain(url);
	return {
		form: await superValidate(adapter, { id: 'user' }),
		domain: { id: domain.id, name: domain.name, otpType: domain.otpGenerator?.type ?? null }
	};
};

export const actions: Actions = {
	default: async (event) => {
		const domain = await localDomain(event.url);
		const form = await superValidate(event.request, adapter, { id: 'user' });
		const password = form.data.password;
		form.data.password = '';
		if (!form.valid) return fail(400, { form });
		const result = await createLocalUser(
			domain.id,
			{ ...form.data, password },
			{ actor: event.locals.admin!.username, ip: clientMeta(event).ip }
		);
		if (!result.ok) return setError(form, result.field ?? '', result.message);
		redirect(303, `/admin/users?domain=${domain.id}&saved=${result.user.id}`);
	}
};
