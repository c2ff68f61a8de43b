import { describe, expect, it } from 'vitest';
import { siteEmailsSchema, siteAccountsSchema } from './site.js';

describe('site e-mails', () => {
	const base = {
		adminEmail: 'admin@example.com',
		supportEmail: 'support@example.com',
		alertEmail: 'alerts@example.com',
		currentPassword: ''
	};
	it('accepts three distinct addresses', () => {
		expect(siteEmailsSchema.safeParse(base).success).toBe(true);
	});
	it('compares case-insensitively', () => {
		const r = siteEmailsSchema.safeParse({ ...base, supportEmail: 'ADMIN@example.com' });
		expect(r.success).toBe(false);
		expect(r.error?.issues[0].path).toEqual(['supportEmail']);
	});
	it('requires the alert e-mail to differ from both', () => {
		const r = siteEmailsSchema.safeParse({ ...base, alertEmail: 'Support@Example.com' });
		expect(r.success).toBe(false);
		expect(r.error?.issues[0].path).toEqual(['alertEmail']);
	});
	it('refuses a header-injection attempt', () => {
		expect(
			siteEmailsSchema.safeParse({ ...base, alertEmail: 'a@example.com\r\nBcc: x@example.com' })
				.success
		).toBe(false);
	});
});

describe('site accounts', () => {
	const base = {
		adminUsername: 'admin',
		adminPassword: '',
		adminConfirm: '',
		supportUsername: 'support',
		supportPassword: '',
		supportConfirm: '',
		currentPassword: 'x'
	};
	it('allows blank passwords (keep the current ones)', () => {
		expect(siteAccountsSchema.safeParse(base).success).toBe(true);
	});
	it('refuses the same username for both, whatever the case', () => {
		expect(siteAccountsSchema.safeParse({ ...base, supportUsername: 'ADMIN' }).success).toBe(false);
	});
	it('refuses a short new password and a mismatched confirmation', () => {
		expect(
			siteAccountsSchema.safeParse({ ...base, adminPassword: 'short', adminConfirm: 'short' })
				.success
		).toBe(false);
		expect(
			siteAccountsSchema.safeParse({
				...base,
				adminPassword: 'long enough password',
				adminConfirm: 'other'
			}).success
		).toBe(false);
	});
});
