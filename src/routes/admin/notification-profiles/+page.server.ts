import { fail, type RequestEvent } from '@sveltejs/kit';
import {
	deleteNotificationProfile,
	listNotificationProfiles,
	setNotificationProfileEnabled
} from '#lib/server/notify/profiles.js';
import { listSmtpServers } from '#lib/server/mail/servers.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const [profiles, servers] = await Promise.all([listNotificationProfiles(), listSmtpServers()]);
	const saved = profiles.find((p) => p.id === url.searchParams.get('saved'));
	return {
		profiles: profiles.map((p) => ({
			id: p.id,
			name: p.name,
			enabled: p.enabled,
			server: p.server,
			smtpServerId: p.smtpServerId,
			recipients: p.recipients.length,
			allApplications: p.allApplications,
			applications: p.applications,
			groupingMinutes: p.groupingMinutes,
			lastSentAt: p.lastSentAt?.toISOString() ?? null
		})),
		hasServers: servers.length > 0,
		savedName: saved?.name ?? null
	};
};

function actor(event: RequestEvent) {
	return { actor: event.locals.admin!.username, ip: clientMeta(event).ip };
}

export const actions: Actions = {
	setEnabled: async (event) => {
		const data = await event.request.formData();
		const id = String(data.get('id') ?? '');
		const enabled = data.get('enabled') === 'true';
		const result = await setNotificationProfileEnabled(id, enabled, actor(event));
		if (!result.ok) return fail(404, { toggleError: result.message });
		return { toggled: { name: result.name, enabled } };
	},
	delete: async (event) => {
		const id = String((await event.request.formData()).get('id') ?? '');
		const result = await deleteNotificationProfile(id, actor(event));
		if (!result.ok) return fail(404, { deleteError: result.message, deleteId: id });
		return { deleted: true };
	}
};
