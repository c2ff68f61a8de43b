import { error, fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { editUserSchema, setUserPasswordSchema } from '#lib/schemas/users.js';
import { getDomain } from '#lib/server/identity/domains.js';
import {
	deleteLocalUser,
	getLocalUser,
	localUserFormValues,
	resetUserTotp,
	setLocalUserPassword,
	updateLocalUser
} from '#lib/server/identity/users.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const userAdapter = zod4(editUserSchema);
const passwordAdapter = zod4(setUserPasswordSchema);

async function findUser(id: string) {
	const user = await getLocalUser(id);
	if (!user) error(404, 'No such user');
	return user;
}

function audit(event: RequestEvent) {
	return { actor: event.locals.admin!.username, ip: clientMeta(event).ip };
}

export const load: PageServerLoad = async ({ params }) => {
	const user = await findUser(params.id);
	const domain = await getDomain(user.domainId);
	return {
		user: {
			id: user.id,
			username: user.username,
			totp: user.totp,
			disabled: user.disabled,
			passwordChangedAt: user.passwordChangedAt.toISOString()
		},
		domain: {
			id: user.domainId,
			name: domain?.name ?? '',
			otpType: domain?.otpGenerator?.type ?? null
		},
		form: await superValidate(localUserFormValues(user), userAdapter, {
			id: 'user',
			errors: false
		}),
		passwordForm: await superValidate(passwordAdapter, { id: 'password' })
	};
};

export const actions: Actions = {
	save: async (event) => {
		const user = await findUser(event.params.id);
		const form = await superValidate(event.request, userAdapter, { id: 'user' });
		if (!form.valid) return fail(400, { form });
		const result = await updateLocalUser(user.id, form.data, audit(event));
		if (!result.ok) return setError(form, '', result.message);
		redirect(303, `/admin/users?domain=${user.domainId}&saved=${user.id}`);
	},
	password: async (event) => {
		const user = await findUser(event.params.id);
		const form = await superValidate(event.request, passwordAdapter, { id: 'password' });
		const password = form.data.password;
		form.data.password = '';
		if (!form.valid) return fail(400, { passwordForm: form });
		const result = await setLocalUserPassword(user.id, password, audit(event));
		if (!result.ok) return setError(form, 'password', result.message);
		return message(form, 'Password set. Their portal sessions have ended.');
	},
	resetTotp: async (event) => {
		const user = await findUser(event.params.id);
		const result = await resetUserTotp({
			domainId: user.domainId,
			username: user.username,
			audit: audit(event)
		});
		if (!result.ok) return fail(404, { totpError: result.message });
		return {
			totpNotice: result.reset
				? 'TOTP reset: they enroll their authenticator app again at their next sign-in.'
				: 'No TOTP enrollment: nothing to reset.'
		};
	},
	delete: async (event) => {
		const user = await findUser(event.params.id);
		const result = await deleteLocalUser(user.id, audit(event));
		if (!result.ok) return fail(404, { deleteError: result.message });
		redirect(303, `/admin/users?domain=${user.domainId}`);
	}
};
