import { dev } from '$app/env';
import { config } from '#lib/server/config.js';
import type { LayoutServerLoad } from './$types';

/** Mock mode's toolbar data; in production builds `dev` is false and the import below is removed. */
async function devToolbar() {
	if (!dev || !config.mock) return null;
	const { FAULTS, currentFault } = await import('#lib/server/dev/faults.js');
	const { getMockState } = await import('#lib/server/dev/mock-state.js');
	const { totpCode } = await import('#lib/server/otp/totp.js');
	const totpUser = getMockState()?.totpUser;
	return {
		faults: FAULTS.map(({ id, label, group }) => ({ id, label, group })),
		current: currentFault(),
		totp: totpUser ? { username: totpUser.username, code: await totpCode(totpUser.secret) } : null
	};
}

export const load: LayoutServerLoad = async () => ({
	mock: config.mock,
	toolbar: await devToolbar()
});
