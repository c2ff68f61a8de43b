/** The alerts page: the connector's timings, and each alert type's switch and recipients. */
import { z } from 'zod';
import { parseRecipientList } from '../recipients.js';
import { singleLine, strictNumber } from './fields.js';

function whole(label: string, min: number, max: number) {
	const range = `${label} is a whole number from ${min} to ${max.toLocaleString('en-US')}.`;
	return strictNumber(z.number({ error: range }).int(range).min(min, range).max(max, range));
}

export const alertTimingsSchema = z.object({
	healthIntervalMinutes: whole('Health check interval', 1, 1440),
	repeatHours: whole('Repeat interval', 1, 168),
	backlogThreshold: whole('Backlog threshold', 1, 10_000),
	backlogMinutes: whole('Backlog time', 1, 1440)
});

export const alertRuleSchema = z
	.object({
		type: singleLine('Alert type').max(64),
		enabled: z.boolean().default(false),
		recipientsMode: z.enum(['default', 'custom'], { error: 'Choose who receives it.' }),
		// one line (an <input>): comma-separated, as the Default Recipients
		customRecipients: singleLine('Custom recipients')
			.max(10_000)
			.default('')
			.superRefine((text, ctx) => {
				const parsed = parseRecipientList(text);
				if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
			})
	})
	.superRefine((rule, ctx) => {
		if (rule.recipientsMode === 'custom' && !rule.customRecipients.trim())
			ctx.addIssue({
				code: 'custom',
				path: ['customRecipients'],
				message: 'Enter at least one address, or choose the Default Recipients.'
			});
	});

export const alertTestSchema = z.object({ type: singleLine('Alert type').max(64) });

export type AlertRuleForm = z.infer<typeof alertRuleSchema>;
