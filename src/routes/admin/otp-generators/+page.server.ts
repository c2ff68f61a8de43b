import { fail } from '@sveltejs/kit';
import {
	deleteOtpGenerator,
	getOtpGenerator,
	listOtpGeneratorsPage
} from '#lib/server/identity/otp-generators.js';
import { anySmtpServer } from '#lib/server/mail/servers.js';
import { pagingOf, readPageQuery } from '#lib/server/db/keyset-pages.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const query = readPageQuery(url);
	const [page, hasServers, saved] = await Promise.all([
		listOtpGeneratorsPage(query),
		anySmtpServer(),
		getOtpGenerator(url.searchParams.get('saved') ?? '')
	]);
	return {
		paging: pagingOf('/admin/otp-generators', 'OTP generator', query, page),
		generators: page.items.map((g) => ({
			id: g.id,
			type: g.type,
			name: g.name,
			smtpServerId: g.smtpServerId,
			smtpServerName: g.smtpServerName,
			sender: g.sender,
			codeLength: g.codeLength,
			validityMinutes: Math.round(g.validitySeconds / 60),
			issuer: g.issuer,
			algorithm: g.algorithm,
			digits: g.digits,
			period: g.period,
			showQr: g.showQr,
			sendKeyByEmail: g.sendKeyByEmail,
			usedBy: g.usedBy
		})),
		hasServers,
		savedName: saved?.name ?? null
	};
};

export const actions: Actions = {
	delete: async (event) => {
		const id = String((await event.request.formData()).get('id') ?? '');
		const result = await deleteOtpGenerator(id, {
			actor: event.locals.admin!.username,
			ip: clientMeta(event).ip
		});
		if (!result.ok)
			return fail(result.code === 'in_use' ? 409 : 404, {
				deleteError: result.message,
				deleteId: id
			});
		return { deleted: true };
	}
};
