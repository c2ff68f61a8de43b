/** Record ids are UUIDs (gen_random_uuid()). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from URLs and forms: anything but a UUID finds nothing (and never reaches PostgreSQL). */
export function isUuid(id: string | null | undefined): id is string {
	return typeof id === 'string' && UUID.test(id);
}
