import type { SessionAdmin } from '#lib/server/auth/session.js';

declare global {
	namespace App {
		interface Locals {
			admin: SessionAdmin | null;
			/** The raw session token, for actions that end or replace the current session. */
			sessionToken: string | null;
			/** True when the request reached Postern over HTTPS (directly or through a trusted proxy). */
			secure: boolean;
			requestId: string;
		}
		interface Error {
			message: string;
			requestId?: string;
		}
	}
}

export {};
