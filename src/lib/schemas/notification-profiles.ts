/**
 * The notification profile form (/admin/notification-profiles): step 1 names the profile, its SMTP server and
 * its recipients; step 2 the applications that trigger it, the grouping window and the message. One schema
 * for both steps (the form is one form, so it works without JavaScript); "Next" checks step 1's fields only.
 * Shared by the browser and the server.
 */
import { z } from 'zod';
import { GROUPING_CHOICES, MAX_RECIPIENTS } from '../choices/notification-profiles.js';
import { multiLine, singleLine, strictNumber, UUID_PATTERN } from './fields.js';
import {
	DEFAULT_BODY_TEMPLATE,
	DEFAULT_SUBJECT_TEMPLATE,
	templateProblem
} from '../notification-template.js';

export {
	GROUPING_CHOICES,
	GROUPING_LABELS,
	MAX_RECIPIENTS,
	readRecipientAddress,
	withPendingRecipient
} from '../choices/notification-profiles.js';

export const recipientAddress = z
	.string()
	.trim()
	.toLowerCase()
	.pipe(z.email('Enter an e-mail address, like ops@example.com.'));

/** The fields of step 1: "Next" validates these and no others. */
export const STEP_ONE_FIELDS = [
	'name',
	'smtpServerId',
	'fallbackSmtpServerId',
	'recipients',
	'newRecipient'
] as const;

export const notificationProfileSchema = z
	.object({
		step: z.enum(['1', '2']).default('1'),
		name: singleLine('Name')
			.min(1, 'Enter the name.')
			.max(100, 'Name must be at most 100 characters.'),
		smtpServerId: z.string().regex(UUID_PATTERN, 'Choose the SMTP server.'),
		/** Optional; another server than smtpServerId (checked below). */
		fallbackSmtpServerId: z
			.string()
			.default('')
			.refine(
				(v) => v === '' || UUID_PATTERN.test(v),
				'Choose a fallback SMTP server from the list.'
			),
		recipients: z
			.array(recipientAddress)
			.max(MAX_RECIPIENTS, `At most ${MAX_RECIPIENTS} recipients.`)
			.default([]),
		/** The address being typed, not yet added (added on "Add", Enter, "Next" or "Validate"). */
		newRecipient: singleLine('Recipient').max(254).default(''),
		allApplications: z.boolean().default(false),
		applicationIds: z.array(z.string().regex(UUID_PATTERN)).max(1000).default([]),
		groupingMinutes: strictNumber(
			z
				.number({ error: 'Choose a grouping window.' })
				.refine(
					(v) => (GROUPING_CHOICES as readonly number[]).includes(v),
					'Choose a grouping window.'
				)
		).default(0),
		subjectTemplate: singleLine('Subject')
			.min(1, 'Enter the subject.')
			.max(200, 'Subject must be at most 200 characters.')
			.superRefine((v, ctx) => {
				const problem = templateProblem(v);
				if (problem) ctx.addIssue({ code: 'custom', message: problem });
			}),
		bodyTemplate: multiLine('Message')
			.refine((v) => v.trim() !== '', 'Enter the message.')
			.refine((v) => v.length <= 5000, 'Message must be at most 5000 characters.')
			.superRefine((v, ctx) => {
				const problem = templateProblem(v);
				if (problem) ctx.addIssue({ code: 'custom', message: problem });
			}),
		enabled: z.boolean().default(true)
	})
	.superRefine((form, ctx) => {
		if (form.fallbackSmtpServerId && form.fallbackSmtpServerId === form.smtpServerId)
			ctx.addIssue({
				code: 'custom',
				path: ['fallbackSmtpServerId'],
				message: 'Choose another server than the SMTP server itself, or none.'
			});
		const pending = form.newRecipient.trim();
		if (pending && !recipientAddress.safeParse(pending).success)
			ctx.addIssue({
				code: 'custom',
				path: ['newRecipient'],
				message: `"${pending}" is not an e-mail address.`
			});
		else if (form.recipients.length === 0 && !pending)
			ctx.addIssue({
				code: 'custom',
				path: ['recipients'],
				message: 'Add at least one recipient.'
			});
		if (!form.allApplications && form.applicationIds.length === 0)
			ctx.addIssue({
				code: 'custom',
				path: ['applicationIds'],
				message: 'Choose the applications that send this notification, or all applications.'
			});
	});

export type NotificationProfileForm = z.infer<typeof notificationProfileSchema>;

export const notificationProfileDefaults: NotificationProfileForm = {
	step: '1',
	name: '',
	smtpServerId: '',
	fallbackSmtpServerId: '',
	recipients: [],
	newRecipient: '',
	allApplications: false,
	applicationIds: [],
	groupingMinutes: 0,
	subjectTemplate: DEFAULT_SUBJECT_TEMPLATE,
	bodyTemplate: DEFAULT_BODY_TEMPLATE,
	enabled: true
};

/** "Send a test notification": any address. */
export const notificationTestSchema = z.object({ to: recipientAddress });
