import { fail, type RequestEvent } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { alertRuleSchema, alertTestSchema, alertTimingsSchema } from '#lib/schemas/alerts.js';
import {
	alertsOverview,
	changeAlertRule,
	changeAlertTimings,
	checkServersNow,
	testAlert
} from '#lib/server/alerts/console.js';
import { clientMeta } from '#lib/server/request.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const overview = await alertsOverview();
	const ruleForms = await Promise.all(
		overview.rules.map((rule) =>
			superValidate(
				{
					type: rule.type,
					enabled: rule.enabled,
					recipientsMode: rule.recipientsMode,
					customRecipients: rule.customRecipients.join(', ')
				},
				zod4(alertRuleSchema),
				{ id: `rule-${rule.type}`, errors: false }
			)
		)
	);
	const testForms = await Promise.all(
		overview.rules.map((rule) =>
			superValidate({ type: rule.type }, zod4(alertTestSchema), {
				id: `test-${rule.type}`,
				errors: false
			})
		)
	);
	return {
		...overview,
		rules: overview.rules.map((rule, i) => ({
			type: rule.type,
			title: rule.title,
			description: rule.description,
			kind: rule.kind,
			health: rule.health,
			form: ruleForms[i],
			testForm: testForms[i]
		})),
		timingsForm: await superValidate(overview.timings, zod4(alertTimingsSchema), {
			id: 'timings',
			errors: false
		}),
		firing: overview.firing.map((f) => ({ ...f, firedAt: f.firedAt.toISOString() })),
		health: overview.health.map((h) => ({ ...h, checkedAt: h.checkedAt?.toISOString() ?? null }))
	};
};

function actor(event: RequestEvent) {
	return { actor: event.locals.admin!.username, ip: clientMeta(event).ip };
}

export const actions: Actions = {
	rule: async (event) => {
		const data = await event.request.formData();
		const id = `rule-${String(data.get('type') ?? '')}`;
		const form = await superValidate(data, zod4(alertRuleSchema), { id });
		if (!form.valid) return fail(400, { form });
		const outcome = await changeAlertRule(form.data, actor(event));
		if (!outcome.ok) return setError(form, 'type', outcome.message);
		return message(form, `“${outcome.title}” saved.`);
	},
	timings: async (event) => {
		const form = await superValidate(event.request, zod4(alertTimingsSchema), { id: 'timings' });
		if (!form.valid) return fail(400, { form });
		await changeAlertTimings(form.data, actor(event));
		return message(form, 'Alert timings saved.');
	},
	checkNow: async (event) => {
		const checked = await checkServersNow(actor(event));
		return { checked };
	},
	test: async (event) => {
		const data = await event.request.formData();
		const id = `test-${String(data.get('type') ?? '')}`;
		const form = await superValidate(data, zod4(alertTestSchema), { id });
		if (!form.valid) return fail(400, { form });
		const outcome = await testAlert(form.data.type, actor(event));
		if (!outcome.ok) return message(form, { ok: false, text: outcome.message }, { status: 502 });
		return message(form, {
			ok: true,
			text:
				`Test alert ${outcome.delivered === 'sent' ? 'sent' : 'queued (the server has not answered yet)'} ` +
				`to ${outcome.recipients} recipient${outcome.recipients === 1 ? '' : 's'} through ${outcome.serverName}.`
		});
	}
};
