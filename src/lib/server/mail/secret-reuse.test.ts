import { describe, expect, it } from 'vitest';
import {
	findChangedDestinationFields,
	resolveSecretInput,
	type SecretDestination
} from './secret-reuse.js';

const basic: SecretDestination = {
	host: 'smtp.example.com',
	port: 587,
	security: 'starttls',
	auth: 'basic',
	username: 'mailer',
	mailbox: null,
	fromAddress: 'noreply@example.com',
	verifyTls: true,
	caPem: null,
	cloud: null,
	tenantId: null,
	clientId: null
};
const microsoft: SecretDestination = {
	host: 'smtp.office365.com',
	port: 587,
	security: 'starttls',
	auth: 'microsoft',
	username: null,
	mailbox: 'alerts@contoso.com',
	fromAddress: 'alerts@contoso.com',
	verifyTls: true,
	caPem: null,
	cloud: 'global',
	tenantId: '8f2b1c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d',
	clientId: '11111111-2222-3333-4444-555555555555'
};

describe('findChangedDestinationFields', () => {
	it('finds nothing when nothing changed', () => {
		expect(findChangedDestinationFields('password', basic, { ...basic })).toEqual([]);
		expect(findChangedDestinationFields('clientSecret', microsoft, { ...microsoft })).toEqual([]);
	});

	it.each([
		['host', { host: 'attacker.example.net' }],
		['port', { port: 2525 }],
		['security', { security: 'none' as const }],
		['auth', { auth: 'none' as const }],
		['username', { username: 'someone-else' }],
		['mailbox', { mailbox: 'ceo@example.com' }],
		['fromAddress', { fromAddress: 'ceo@example.com' }],
		['verifyTls', { verifyTls: false }],
		['caPem', { caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }]
	])('a changed %s binds the password', (field, patch) => {
		expect(findChangedDestinationFields('password', basic, { ...basic, ...patch })).toEqual([
			field
		]);
	});

	it.each([
		['cloud', { cloud: 'usgov' as const }],
		['tenantId', { tenantId: 'evil.onmicrosoft.com' }],
		['clientId', { clientId: '99999999-2222-3333-4444-555555555555' }],
		['host', { host: 'smtp.attacker.example' }],
		['mailbox', { mailbox: 'ceo@contoso.com' }],
		['verifyTls', { verifyTls: false }]
	])('a changed %s binds the client secret', (field, patch) => {
		expect(
			findChangedDestinationFields('clientSecret', microsoft, { ...microsoft, ...patch })
		).toEqual([field]);
	});

	it('does not count letter case of host names, addresses and IDs, but does for usernames', () => {
		const recased = {
			...microsoft,
			host: 'SMTP.Office365.com',
			mailbox: 'Alerts@Contoso.com',
			fromAddress: 'ALERTS@contoso.com',
			tenantId: microsoft.tenantId!.toUpperCase()
		};
		expect(findChangedDestinationFields('clientSecret', microsoft, recased)).toEqual([]);
		expect(
			findChangedDestinationFields('password', basic, { ...basic, username: 'Mailer' })
		).toEqual(['username']);
	});

	it('binds the password to the CA certificate it was verified with, whatever the line breaks', () => {
		const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
		const withCa = { ...basic, caPem: pem };
		expect(
			findChangedDestinationFields('password', withCa, {
				...basic,
				caPem: `${pem.replace(/\n/g, '\r\n')}\r\n`
			})
		).toEqual([]);
		expect(findChangedDestinationFields('password', withCa, { ...basic, caPem: null })).toEqual([
			'caPem'
		]);
		expect(
			findChangedDestinationFields('password', withCa, {
				...basic,
				caPem: pem.replace('MIIB', 'MIIC')
			})
		).toEqual(['caPem']);
	});

	it('treats blank and null alike', () => {
		expect(
			findChangedDestinationFields(
				'password',
				{ ...basic, mailbox: '' },
				{ ...basic, mailbox: null }
			)
		).toEqual([]);
	});
});

describe('resolveSecretInput', () => {
	it('uses a typed value whatever changed', () => {
		expect(resolveSecretInput({ typed: 's3cret', hasStored: true, changed: ['host'] })).toEqual({
			action: 'replace',
			value: 's3cret'
		});
	});

	it('keeps the stored value when the field is blank and the destination unchanged', () => {
		expect(resolveSecretInput({ typed: '', hasStored: true, changed: [] })).toEqual({
			action: 'keep'
		});
	});

	it('asks for it again when the destination changed (Keycloak #39486)', () => {
		expect(resolveSecretInput({ typed: '', hasStored: true, changed: ['host', 'port'] })).toEqual({
			error: 'retype',
			changed: ['host', 'port']
		});
	});

	it('asks for it when nothing is stored', () => {
		expect(resolveSecretInput({ typed: '', hasStored: false, changed: [] })).toEqual({
			error: 'required'
		});
	});

	it('never trims: a space is a typed value', () => {
		expect(resolveSecretInput({ typed: ' ', hasStored: true, changed: ['host'] })).toEqual({
			action: 'replace',
			value: ' '
		});
	});
});
