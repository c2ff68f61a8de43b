import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../testing/db.js';
import { db, tables, type Database } from '../db/index.js';
import { applicationSchema } from '../../schemas/applications.js';
import {
	applicationFormValues,
	createApplication,
	deleteApplication,
	getApplication,
	listApplications,
	updateApplication
} from './applications.js';

let database: Database;
beforeEach(async () => {
	database = await freshTestDatabase();
});
afterEach(async () => {
	await database.close();
});

const admin = { actor: 'alice', ip: '192.0.2.1' };
const form = (name: string, url = `https://${name.toLowerCase()}.example`) => ({
	name,
	url,
	description: ''
});

describe('applications', () => {
	it('creates, lists by name, reads, updates and deletes; audits each change', async () => {
		const wiki = await createApplication(form('Wiki'), admin);
		const plc = await createApplication({ ...form('plc'), description: 'HMI' }, admin);
		expect(wiki.ok && plc.ok).toBe(true);
		if (!wiki.ok || !plc.ok) return;
		expect((await listApplications()).map((a) => a.name)).toEqual(['plc', 'Wiki']);
		expect(await getApplication(plc.application.id)).toMatchObject({ description: 'HMI' });

		const updated = await updateApplication(
			plc.application.id,
			{ ...form('PLC', 'https://plc.example/hmi'), description: 'HMI' },
			admin
		);
		expect(updated).toMatchObject({
			ok: true,
			application: { name: 'PLC', url: 'https://plc.example/hmi' }
		});
		expect(await deleteApplication(wiki.application.id, admin)).toEqual({ ok: true });
		expect(await getApplication(wiki.application.id)).toBeNull();

		const audit = await db().select().from(tables.auditLog);
		expect(audit.map((a) => a.action)).toEqual([
			'application.created',
			'application.created',
			'application.updated',
			'application.deleted'
		]);
		expect(audit[2].detail).toMatchObject({ changed: ['name', 'url'] });
		expect(audit[0]).toMatchObject({ actor: 'alice', ip: '192.0.2.1' });
	});

	it('refuses a name already taken, whatever the case', async () => {
		await createApplication(form('Wiki'), admin);
		expect(await createApplication(form('WIKI'), admin)).toMatchObject({
			ok: false,
			field: 'name',
			code: 'name_taken'
		});
		const other = await createApplication(form('Grafana'), admin);
		if (!other.ok) throw new Error('refused');
		expect(await updateApplication(other.application.id, form('wiki'), admin)).toMatchObject({
			code: 'name_taken'
		});
	});

	it('answers not_found for unknown or malformed ids', async () => {
		expect(await getApplication('nope')).toBeNull();
		expect(
			await updateApplication('00000000-0000-4000-8000-000000000000', form('X'), admin)
		).toMatchObject({
			code: 'not_found'
		});
		expect(await deleteApplication('x', admin)).toMatchObject({ ok: false, code: 'not_found' });
	});

	it('gives form values that pass the form schema', async () => {
		const created = await createApplication({ ...form('PLC'), description: 'a\nb' }, admin);
		if (!created.ok) throw new Error('refused');
		expect(applicationSchema.safeParse(applicationFormValues(created.application)).success).toBe(
			true
		);
	});
});
