/**
 * The server never sends a typed password back to the page (it blanks them in every response). With
 * JavaScript on, this puts the user's own typing back after a failed submit, read from the form element, so
 * one wrong field does not cost them every password field; a successful submit leaves the fields cleared.
 * `always`: for forms whose other actions (a configuration test) answer without leaving the page.
 */
export function keepTypedSecrets<T extends Record<string, unknown>>(
	fields: readonly (keyof T & string)[],
	{ always = false } = {}
) {
	return ({
		form,
		formElement
	}: {
		form: { valid: boolean; data: T };
		formElement: HTMLFormElement;
	}) => {
		if (form.valid && !always) return;
		for (const field of fields) {
			const input = formElement.elements.namedItem(field);
			if (form.data[field] === '' && input instanceof HTMLInputElement)
				(form.data as Record<string, unknown>)[field] = input.value;
		}
	};
}
