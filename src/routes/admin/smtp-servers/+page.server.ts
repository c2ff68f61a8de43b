import { fail } from '@sveltejs/kit';
import { deleteSmtpServer, listSmtpServersPage } from '#lib/server/mail/servers.js';
import { pagingOf, readPageQuery } from '#lib/server/db/keyset-pages.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const query = readPageQuery(url);
	const page = await listSmtpServersPage(query);
	return {
		paging: pagingOf('/admin/smtp-servers', 'SMTP server', query, page),
		servers: page.items.map((s) => ({
			id: s.id,
			name: s.name,
			host: s.host,
			port: s.port,
			security: s.security,
			auth: s.auth,
			fromAddress: s.fromAddress,
			fromName: s.fromName,
			clientSecretExpiresOn: s.clientSecretExpiresOn,
			clientSecretExpiry: s.clientSecretExpiry,
			lastTest: s.lastTest
				? {
						at: s.lastTest.at.toISOString(),
						ok: s.lastTest.ok,
						verdict: s.lastTest.summary?.verdict ?? null
					}
				: null,
			usages: s.usages
		}))
	};
};

export const actions: Actions = {
	delete: async (event) => {
		const admin = event.locals.admin!;
		const id = String((await event.request.formData()).get('id') ?? '');
		if (!/^[0-9a-f-]{36}$/i.test(id))
			return fail(400, { deleteError: 'Unknown SMTP server.', deleteId: id });
		const result = await deleteSmtpServer(id, { actor: admin.username, ip: clientMeta(event).ip });
		if (!result.ok)
			return fail(result.code === 'in_use' ? 409 : 404, {
				deleteError: result.message,
				deleteId: id
			});
		return { deleted: true };
	}
};
