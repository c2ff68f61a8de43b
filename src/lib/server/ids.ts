/** Record ids are UUIDs (gen_random_uuid()). */
import { UUID_PATTERN } from '../schemas/fields.js';

/** Ids come from URLs and forms: anything but a UUID finds nothing (and never reaches PostgreSQL). */
export function isUuid(id: string | null | undefined): id is string {
	return typeof id === 'string' && UUID_PATTERN.test(id);
}
