/** PostgreSQL unique_violation (23505), directly or wrapped by drizzle: "that name is taken" for a save. */
export function isUniqueViolation(error: unknown): boolean {
	const e = error as { code?: string; cause?: { code?: string } } | undefined;
	return e?.code === '23505' || e?.cause?.code === '23505';
}
