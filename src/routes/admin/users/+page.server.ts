import { fail } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { listDomainChoices } from '#lib/server/identity/domains.js';
import { getLocalUser, resetUserTotp, setLocalUserDisabled } from '#lib/server/identity/users.js';
import { listLocalUsersPage, USERS_PAGE_SIZE } from '#lib/server/identity/user-list.js';
import { isUuid } from '#lib/server/ids.js';
import { clientMeta } from '#lib/server/request.js';
import { resetTotpSchema } from './reset-totp.js';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const resetAdapter = zod4(resetTotpSchema);

export const load: PageServerLoad = async ({ url }) => {
	const domains = await listDomainChoices();
	const asked = url.searchParams.get('domain');
	const domain =
		domains.find((d) => d.id === asked) ??
		domains.find((d) => d.kind === 'local') ??
		domains[0] ??
		null;
	const search = (url.searchParams.get('q') ?? '').slice(0, 200);
	const page =
		domain?.kind === 'local'
			? await listLocalUsersPage(domain.id, {
					search,
					after: url.searchParams.get('after'),
					before: url.searchParams.get('before')
				})
			: { users: [], next: null, previous: null };
	const savedId = url.searchParams.get('saved');
	const saved = savedId && isUuid(savedId) ? await getLocalUser(savedId) : null;
	return {
		domains: domains.map((d) => ({ id: d.id, name: d.name, kind: d.kind, isTest: d.isTest })),
		domain: domain
			? {
					id: domain.id,
					name: domain.name,
					kind: domain.kind,
					otpType: domain.otpType
				}
			: null,
		users: page.users,
		search,
		next: page.next,
		pageSize: USERS_PAGE_SIZE,
		previous: page.previous,
		/** A search or a later page: an empty list then means "no match", not "no user yet". */
		filtered: Boolean(
			search.trim() || url.searchParams.get('after') || url.searchParams.get('before')
		),
		savedName: saved?.username ?? null,
		resetForm: await superValidate({ domainId: domain?.id ?? '', username: '' }, resetAdapter, {
			id: 'reset-totp',
			errors: false
		})
	};
};

function audit(event: RequestEvent) {
	return { actor: event.locals.admin!.username, ip: clientMeta(event).ip };
}

export const actions: Actions = {
	/** A row's Disable / Enable button. */
	setDisabled: async (event) => {
		const data = await event.request.formData();
		const id = String(data.get('id') ?? '');
		const disabled = data.get('disabled') === 'true';
		const result = await setLocalUserDisabled(id, disabled, audit(event));
		if (!result.ok) return fail(404, { rowError: result.message });
		return {
			notice: `${result.user.username} ${disabled ? 'disabled: their portal sessions have ended' : 'enabled'}.`
		};
	},
	/** A row's Reset TOTP button (a listed local user). */
	resetUserTotp: async (event) => {
		const id = String((await event.request.formData()).get('id') ?? '');
		const user = isUuid(id) ? await getLocalUser(id) : null;
		if (!user) return fail(404, { rowError: 'This user no longer exists.' });
		const result = await resetUserTotp({
			domainId: user.domainId,
			username: user.username,
			audit: audit(event)
		});
		if (!result.ok) return fail(404, { rowError: result.message });
		return {
			notice: result.reset
				? `TOTP reset for ${user.username}: they enroll again at their next sign-in.`
				: `${user.username} had no TOTP enrollment: nothing to reset.`
		};
	},
	/** "Reset TOTP" by username: local or LDAP users. */
	resetTotp: async (event) => {
		const form = await superValidate(event.request, resetAdapter, { id: 'reset-totp' });
		if (!form.valid) return fail(400, { resetForm: form });
		const result = await resetUserTotp({ ...form.data, audit: audit(event) });
		if (!result.ok) return setError(form, 'domainId', result.message);
		const { username } = form.data;
		form.data.username = '';
		return message(
			form,
			result.reset
				? `TOTP reset for ${username}: they enroll again at their next sign-in.`
				: `No TOTP enrollment found for ${username}: nothing to reset.`
		);
	}
};
