/**
 * Superforms' adapters for a discriminated union keep only the chosen branch's fields, but an editor binds
 * every branch's fields (the admin may switch the authentication, the kind or the type), and Svelte refuses
 * `bind:value={undefined}`. So each form sent to an editor has every field: the branch's values, the others
 * (and any left undefined) from the blank defaults.
 */
export function fillMissingFields<T extends object>(data: T, defaults: T): T {
	const filled = { ...data } as Record<string, unknown>;
	for (const [key, value] of Object.entries(defaults))
		if (filled[key] === undefined || filled[key] === null) filled[key] = value;
	return filled as T;
}
