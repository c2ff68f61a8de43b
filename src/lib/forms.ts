/**
 * The server never sends a typed password back to the page (it blanks them in every response). With
 * JavaScript on, this puts the user's own typing back after a failed submit, so one wrong field does not
 * cost them every password field; a successful submit leaves the fields cleared.
 */
export function keepTypedSecrets<T extends Record<string, unknown>>(
	current: () => T,
	fields: readonly (keyof T)[]
) {
	return ({ form }: { form: { valid: boolean; data: T } }) => {
		if (form.valid) return;
		const typed = current();
		for (const field of fields) if (form.data[field] === '') form.data[field] = typed[field];
	};
}
