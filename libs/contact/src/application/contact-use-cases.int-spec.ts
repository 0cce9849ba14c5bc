import { type TestingModule } from '@nestjs/testing';
import { type DataSource } from 'typeorm';
import { ConflictError, EventOutbox, NotFoundError, UnitOfWork, ValidationError } from '@app/shared';
import {
  Contact,
  ContactIdTakenError,
  ContactNotFoundError,
  ContactRepository,
  type ContactView,
  CreateContactHandler,
  DeleteContactHandler,
  DuplicateContactPhoneError,
  FindOrCreateContactByPhoneHandler,
  GetContactHandler,
  ListContactsHandler,
  SetContactFirstTouchHandler,
  UpdateContactHandler,
} from '@app/contact';
import { createContactTestContext, outboxRowsFor } from '../../../../test/support/contact-test-context';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('Contact use cases (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let createTenant: (name: string) => Promise<string>;
  let create: CreateContactHandler;
  let get: GetContactHandler;
  let list: ListContactsHandler;
  let update: UpdateContactHandler;
  let remove: DeleteContactHandler;
  let findOrCreate: FindOrCreateContactByPhoneHandler;
  let setFirstTouch: SetContactFirstTouchHandler;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    ({ moduleRef, db, createTenant } = await createContactTestContext());
    create = moduleRef.get(CreateContactHandler);
    get = moduleRef.get(GetContactHandler);
    list = moduleRef.get(ListContactsHandler);
    update = moduleRef.get(UpdateContactHandler);
    remove = moduleRef.get(DeleteContactHandler);
    findOrCreate = moduleRef.get(FindOrCreateContactByPhoneHandler);
    setFirstTouch = moduleRef.get(SetContactFirstTouchHandler);
    tenantA = await createTenant('Tenant A');
    tenantB = await createTenant('Tenant B');
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const liveRowsWithPhone = async (tenantId: string, phone: string): Promise<number> =>
    Number(
      (
        await db.query(
          `SELECT count(*) AS n FROM contacts WHERE tenant_id = $1 AND phone = $2 AND deleted_at IS NULL`,
          [tenantId, phone],
        )
      )[0].n,
    );

  describe('create and get', () => {
    it('stores a normalised contact, returns its view and writes exactly one contact.created outbox row', async () => {
      const view = await create.execute({
        tenantId: tenantA,
        phone: '+55 (11) 99999-0000',
        name: 'Ana Souza',
        whatsappId: '5511999990000@c.us',
        profilePictureUrl: 'https://pps.whatsapp.net/ana.jpg',
      });
      expect(view).toEqual<ContactView>({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        phone: '5511999990000',
        whatsappId: '5511999990000@c.us',
        name: 'Ana Souza',
        profilePictureUrl: 'https://pps.whatsapp.net/ana.jpg',
        source: 'api',
        firstTouch: null,
        createdAt: expect.any(String),
        updatedAt: view.createdAt,
      });
      expect(new Date(view.createdAt).toISOString()).toBe(view.createdAt);

      const [row] = await db.query(`SELECT tenant_id, phone, source, deleted_at, version FROM contacts WHERE id = $1`, [
        view.id,
      ]);
      expect(row).toEqual({ tenant_id: tenantA, phone: '5511999990000', source: 'api', deleted_at: null, version: 1 });

      const events = await outboxRowsFor(db, view.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        tenant_id: tenantA,
        aggregate_type: 'contact',
        aggregate_id: view.id,
        type: 'contact.created',
        status: 'pending',
        payload: {
          id: view.id,
          phone: '5511999990000',
          whatsappId: '5511999990000@c.us',
          name: 'Ana Souza',
          profilePictureUrl: 'https://pps.whatsapp.net/ana.jpg',
          source: 'api',
          createdAt: view.createdAt,
        },
      });
      expect(events[0]!.occurred_at.toISOString()).toBe(view.createdAt);

      await expect(get.execute({ tenantId: tenantA, id: view.id })).resolves.toEqual(view);
    });

    it('answers ContactNotFoundError for an unknown id and ValidationError for a malformed one', async () => {
      const missing = await rejection(get.execute({ tenantId: tenantA, id: '00000000-0000-4000-8000-000000000000' }));
      expect(missing).toBeInstanceOf(ContactNotFoundError);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect((missing as ContactNotFoundError).code).toBe('CONTACT.NOT_FOUND');

      const malformed = await rejection(get.execute({ tenantId: tenantA, id: 'nope' }));
      expect(malformed).toBeInstanceOf(ValidationError);
      expect((malformed as ValidationError).field).toBe('id');
    });

    it('rejects a malformed phone without writing anything', async () => {
      const before = Number((await db.query(`SELECT count(*) AS n FROM contacts`))[0].n);
      const error = await rejection(create.execute({ tenantId: tenantA, phone: '011 1234' }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('phone');
      expect(Number((await db.query(`SELECT count(*) AS n FROM contacts`))[0].n)).toBe(before);
    });

    it('refuses a second live contact with the same phone (in any format) and writes no event for it', async () => {
      const first = await create.execute({ tenantId: tenantA, phone: '+55 21 98888-0001', name: 'First' });
      const outboxBefore = Number(
        (await db.query(`SELECT count(*) AS n FROM outbox_events WHERE tenant_id = $1`, [tenantA]))[0].n,
      );

      const error = await rejection(create.execute({ tenantId: tenantA, phone: '5521988880001@c.us', name: 'Second' }));
      expect(error).toBeInstanceOf(DuplicateContactPhoneError);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as DuplicateContactPhoneError).field).toBe('phone');
      expect((error as DuplicateContactPhoneError).code).toBe('CONTACT.DUPLICATE_PHONE');

      expect(await liveRowsWithPhone(tenantA, '5521988880001')).toBe(1);
      expect(
        Number((await db.query(`SELECT count(*) AS n FROM outbox_events WHERE tenant_id = $1`, [tenantA]))[0].n),
      ).toBe(outboxBefore);
      await expect(get.execute({ tenantId: tenantA, id: first.id })).resolves.toMatchObject({ name: 'First' });
    });

    it('lets another tenant use the same phone', async () => {
      await create.execute({ tenantId: tenantA, phone: '5521977770002' });
      const other = await create.execute({ tenantId: tenantB, phone: '5521977770002' });
      expect(other.phone).toBe('5521977770002');
      expect(await liveRowsWithPhone(tenantB, '5521977770002')).toBe(1);
    });
  });

  describe('update', () => {
    it('changes fields, stores them and raises contact.updated with the changed fields and new values', async () => {
      const created = await create.execute({
        tenantId: tenantA,
        phone: '5531900000001',
        name: 'Bia',
        whatsappId: '5531900000001@c.us',
      });
      const updated = await update.execute({
        tenantId: tenantA,
        id: created.id,
        name: 'Beatriz',
        phone: '+55 31 90000-0002',
        whatsappId: null,
      });
      expect(updated).toMatchObject({
        id: created.id,
        name: 'Beatriz',
        phone: '5531900000002',
        whatsappId: null,
        createdAt: created.createdAt,
      });
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      await expect(get.execute({ tenantId: tenantA, id: created.id })).resolves.toEqual(updated);

      const [row] = await db.query(`SELECT version FROM contacts WHERE id = $1`, [created.id]);
      expect(row.version).toBe(2);

      const events = await outboxRowsFor(db, created.id);
      expect(events.map((e) => e.type)).toEqual(['contact.created', 'contact.updated']);
      expect(events[1]!.payload).toEqual({
        id: created.id,
        phone: '5531900000002',
        whatsappId: null,
        name: 'Beatriz',
        profilePictureUrl: null,
        source: 'api',
        changedFields: ['phone', 'whatsappId', 'name'],
        changes: { phone: '5531900000002', whatsappId: null, name: 'Beatriz' },
        updatedAt: updated.updatedAt,
      });
      // The old phone is free again; the new one is taken.
      expect(await liveRowsWithPhone(tenantA, '5531900000001')).toBe(0);
      expect(await liveRowsWithPhone(tenantA, '5531900000002')).toBe(1);
    });

    it('stores nothing and raises nothing when no value changes', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5531900000003', name: 'Caio' });
      const same = await update.execute({
        tenantId: tenantA,
        id: created.id,
        name: ' Caio ',
        phone: '+55 31 90000-0003',
      });
      expect(same).toEqual(created);
      expect((await outboxRowsFor(db, created.id)).map((e) => e.type)).toEqual(['contact.created']);
      const [row] = await db.query(`SELECT version FROM contacts WHERE id = $1`, [created.id]);
      expect(row.version).toBe(1);
    });

    it('refuses a phone that belongs to another live contact and leaves both contacts as they were', async () => {
      const taken = await create.execute({ tenantId: tenantA, phone: '5531900000004', name: 'Taken' });
      const mover = await create.execute({ tenantId: tenantA, phone: '5531900000005', name: 'Mover' });
      const error = await rejection(
        update.execute({ tenantId: tenantA, id: mover.id, phone: '5531900000004', name: 'Renamed' }),
      );
      expect(error).toBeInstanceOf(DuplicateContactPhoneError);
      await expect(get.execute({ tenantId: tenantA, id: mover.id })).resolves.toEqual(mover);
      await expect(get.execute({ tenantId: tenantA, id: taken.id })).resolves.toEqual(taken);
      expect((await outboxRowsFor(db, mover.id)).map((e) => e.type)).toEqual(['contact.created']);
    });

    it('validates the new values', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5531900000006' });
      const error = await rejection(
        update.execute({ tenantId: tenantA, id: created.id, profilePictureUrl: 'javascript:alert(1)' }),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('profilePictureUrl');
    });
  });

  describe('delete', () => {
    it('soft-deletes: the contact disappears, its row stays, contact.deleted is raised and the phone is free again', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5541900000001', name: 'Dora' });
      await remove.execute({ tenantId: tenantA, id: created.id });

      expect(await rejection(get.execute({ tenantId: tenantA, id: created.id }))).toBeInstanceOf(ContactNotFoundError);
      const [row] = await db.query(`SELECT deleted_at, version FROM contacts WHERE id = $1`, [created.id]);
      expect(row.deleted_at).toBeInstanceOf(Date);
      expect(row.version).toBe(2);

      const events = await outboxRowsFor(db, created.id);
      expect(events.map((e) => e.type)).toEqual(['contact.created', 'contact.deleted']);
      expect(events[1]!.payload).toMatchObject({
        id: created.id,
        phone: '5541900000001',
        name: 'Dora',
        deletedAt: row.deleted_at.toISOString(),
      });

      // Deleting again: there is no live contact with that id any more.
      expect(await rejection(remove.execute({ tenantId: tenantA, id: created.id }))).toBeInstanceOf(
        ContactNotFoundError,
      );
      expect(await rejection(update.execute({ tenantId: tenantA, id: created.id, name: 'Ghost' }))).toBeInstanceOf(
        ContactNotFoundError,
      );
      expect(await outboxRowsFor(db, created.id)).toHaveLength(2);

      const again = await create.execute({ tenantId: tenantA, phone: '+55 41 90000-0001', name: 'Dora again' });
      expect(again.id).not.toBe(created.id);
      expect(
        Number(
          (
            await db.query(`SELECT count(*) AS n FROM contacts WHERE tenant_id = $1 AND phone = $2`, [
              tenantA,
              '5541900000001',
            ])
          )[0].n,
        ),
      ).toBe(2);
      const found = await findOrCreate.execute({ tenantId: tenantA, phone: '5541900000001@c.us' });
      expect(found).toEqual({ contact: again, created: false });
    });
  });

  describe('delete unless in use (saga rollback)', () => {
    it('keeps the contact live and raises nothing when keepIfInUse answers true; deletes it when it answers false', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5541900000101', name: 'Adopted' });
      let asked = 0;
      const kept = await remove.execute({
        tenantId: tenantA,
        id: created.id,
        keepIfInUse: async () => {
          asked += 1;
          return true;
        },
      });
      expect(kept).toEqual({ deleted: false });
      expect(asked).toBe(1);
      await expect(get.execute({ tenantId: tenantA, id: created.id })).resolves.toMatchObject({
        id: created.id,
        name: 'Adopted',
      });
      expect((await outboxRowsFor(db, created.id)).map((e) => e.type)).toEqual(['contact.created']);

      const removed = await remove.execute({ tenantId: tenantA, id: created.id, keepIfInUse: async () => false });
      expect(removed).toEqual({ deleted: true });
      expect(await rejection(get.execute({ tenantId: tenantA, id: created.id }))).toBeInstanceOf(ContactNotFoundError);
      expect((await outboxRowsFor(db, created.id)).map((e) => e.type)).toEqual(['contact.created', 'contact.deleted']);
    });
  });

  describe('tenant isolation', () => {
    it("never lets tenant B read, change or delete tenant A's contact", async () => {
      const own = await create.execute({ tenantId: tenantA, phone: '5551900000001', name: 'Only A' });

      expect(await rejection(get.execute({ tenantId: tenantB, id: own.id }))).toBeInstanceOf(ContactNotFoundError);
      expect(await rejection(update.execute({ tenantId: tenantB, id: own.id, name: 'Hijacked' }))).toBeInstanceOf(
        ContactNotFoundError,
      );
      expect(await rejection(remove.execute({ tenantId: tenantB, id: own.id }))).toBeInstanceOf(ContactNotFoundError);

      await expect(get.execute({ tenantId: tenantA, id: own.id })).resolves.toEqual(own);
      expect((await outboxRowsFor(db, own.id)).map((e) => e.type)).toEqual(['contact.created']);

      const pageB = await list.execute({ tenantId: tenantB, limit: 200 });
      expect(pageB.data.map((c) => c.id)).not.toContain(own.id);
      const searchB = await list.execute({ tenantId: tenantB, search: 'Only A' });
      expect(searchB.data).toEqual([]);

      // Find-or-create in tenant B creates B's own contact rather than returning A's.
      const inB = await findOrCreate.execute({ tenantId: tenantB, phone: '5551900000001' });
      expect(inB.created).toBe(true);
      expect(inB.contact.id).not.toBe(own.id);
    });
  });

  describe('list', () => {
    let tenant: string;
    const ids: string[] = [];

    beforeAll(async () => {
      tenant = await createTenant('Paging tenant');
      // Contacts created through the handler get distinct (or nearly distinct) timestamps; the
      // ones inserted directly share one timestamp, so the id tie-breaker is exercised too.
      for (let i = 0; i < 13; i += 1)
        ids.push((await create.execute({ tenantId: tenant, phone: `55619000000${String(i).padStart(2, '0')}` })).id);
      const repository = moduleRef.get(ContactRepository, { strict: false });
      const at = new Date();
      for (let i = 13; i < 25; i += 1) {
        const contact = Contact.create({ tenantId: tenant, phone: `55619000000${i}`, source: 'import' }, at);
        await repository.insert(contact);
        ids.push(contact.id);
      }
      const deleted = await create.execute({ tenantId: tenant, phone: '5561999999999' });
      await remove.execute({ tenantId: tenant, id: deleted.id });
    });

    it('walks every live contact exactly once, newest first, following nextCursor', async () => {
      const seen: ContactView[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await list.execute({ tenantId: tenant, limit: 7, cursor });
        expect(page.data.length).toBeLessThanOrEqual(7);
        seen.push(...page.data);
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor);

      expect(pages).toBe(4);
      expect(seen).toHaveLength(25);
      expect(new Set(seen.map((c) => c.id)).size).toBe(25);
      expect([...seen.map((c) => c.id)].sort()).toEqual([...ids].sort());
      const order = [...seen].sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      );
      expect(seen.map((c) => c.id)).toEqual(order.map((c) => c.id));
    });

    it('answers a single page with a null cursor when everything fits', async () => {
      const page = await list.execute({ tenantId: tenant, limit: 25 });
      expect(page.data).toHaveLength(25);
      expect(page.nextCursor).toBeNull();
      const defaultPage = await list.execute({ tenantId: tenant });
      expect(defaultPage.data).toHaveLength(25);
    });

    it('rejects a bad cursor, limit or search with a ValidationError naming the field', async () => {
      const badCursor = await rejection(list.execute({ tenantId: tenant, cursor: 'garbage' }));
      expect(badCursor).toBeInstanceOf(ValidationError);
      expect((badCursor as ValidationError).field).toBe('cursor');
      const forged = Buffer.from(JSON.stringify([new Date().toISOString(), 'not-a-uuid'])).toString('base64url');
      expect(((await rejection(list.execute({ tenantId: tenant, cursor: forged }))) as ValidationError).field).toBe(
        'cursor',
      );
      for (const search of ['x'.repeat(101), 'nul\u0000byte']) {
        const error = await rejection(list.execute({ tenantId: tenant, search }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe('search');
      }
      for (const limit of [0, 201, 1.5]) {
        const error = await rejection(list.execute({ tenantId: tenant, limit }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe('limit');
      }
    });
  });

  describe('search', () => {
    let tenant: string;
    let ana: ContactView;
    let mariana: ContactView;
    let joao: ContactView;
    let percent: ContactView;

    beforeAll(async () => {
      tenant = await createTenant('Search tenant');
      ana = await create.execute({ tenantId: tenant, phone: '+55 11 91111-0000', name: 'Ana Souza' });
      mariana = await create.execute({ tenantId: tenant, phone: '+55 21 92222-0000', name: 'MARIANA Lima' });
      joao = await create.execute({ tenantId: tenant, phone: '+1 202 555 0143', name: 'João' });
      percent = await create.execute({ tenantId: tenant, phone: '+44 20 7946 0958', name: '100% Real' });
      const gone = await create.execute({ tenantId: tenant, phone: '+55 11 93333-0000', name: 'Ana Deleted' });
      await remove.execute({ tenantId: tenant, id: gone.id });
    });

    const ids = async (search: string) =>
      (await list.execute({ tenantId: tenant, search })).data.map((c) => c.id).sort();

    it('matches names case-insensitively anywhere in the name, and only live contacts', async () => {
      expect(await ids('ana')).toEqual([ana.id, mariana.id].sort());
      expect(await ids('  SOUZA ')).toEqual([ana.id]);
      expect(await ids('joão')).toEqual([joao.id]);
      expect(await ids('nobody')).toEqual([]);
    });

    it('matches the start of the phone, with the digits of a number-like term', async () => {
      expect(await ids('+55 11')).toEqual([ana.id]);
      expect(await ids('0055')).toEqual([ana.id, mariana.id].sort());
      expect(await ids('1202')).toEqual([joao.id]);
      expect(await ids('(20)')).toEqual([]);
      expect(await ids('4420')).toEqual([percent.id]);
    });

    it('takes LIKE wildcards literally', async () => {
      expect(await ids('%')).toEqual([percent.id]);
      expect(await ids('_')).toEqual([]);
    });

    it('pages search results with the same cursor rules', async () => {
      const first = await list.execute({ tenantId: tenant, search: 'ana', limit: 1 });
      expect(first.data).toHaveLength(1);
      expect(first.nextCursor).not.toBeNull();
      const second = await list.execute({ tenantId: tenant, search: 'ana', limit: 1, cursor: first.nextCursor! });
      expect(second.data).toHaveLength(1);
      expect(second.nextCursor).toBeNull();
      expect([first.data[0]!.id, second.data[0]!.id].sort()).toEqual([ana.id, mariana.id].sort());
    });
  });

  describe('find or create by phone', () => {
    it('creates the contact once (source whatsapp by default) and finds it afterwards', async () => {
      const first = await findOrCreate.execute({
        tenantId: tenantA,
        phone: '5571900000001@c.us',
        name: 'Push Name',
        whatsappId: '5571900000001@c.us',
      });
      expect(first.created).toBe(true);
      expect(first.contact).toMatchObject({
        phone: '5571900000001',
        name: 'Push Name',
        whatsappId: '5571900000001@c.us',
        source: 'whatsapp',
      });

      const second = await findOrCreate.execute({ tenantId: tenantA, phone: '+55 71 90000-0001', name: 'Other Name' });
      expect(second).toEqual({ contact: first.contact, created: false });
      expect((await outboxRowsFor(db, first.contact.id)).map((e) => e.type)).toEqual(['contact.created']);
    });

    it('returns a contact created through CreateContact instead of creating another', async () => {
      const existing = await create.execute({ tenantId: tenantA, phone: '5571900000002', name: 'Manual' });
      await expect(findOrCreate.execute({ tenantId: tenantA, phone: '5571900000002@s.whatsapp.net' })).resolves.toEqual(
        {
          contact: existing,
          created: false,
        },
      );
    });

    it('creates exactly one contact and one contact.created event under 20 concurrent calls', async () => {
      const tenant = await createTenant('Concurrency tenant');
      const phone = '5571988887777';
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          findOrCreate.execute({
            tenantId: tenant,
            phone: i % 2 ? `${phone}@c.us` : '+55 71 98888-7777',
            name: `Caller ${i}`,
          }),
        ),
      );

      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.contact;
      for (const result of results) expect(result.contact).toEqual(winner);

      const rows = await db.query(`SELECT id FROM contacts WHERE tenant_id = $1 AND phone = $2`, [tenant, phone]);
      expect(rows).toEqual([{ id: winner.id }]);
      const created = await db.query(
        `SELECT aggregate_id, payload FROM outbox_events WHERE tenant_id = $1 AND type = 'contact.created'`,
        [tenant],
      );
      expect(created).toHaveLength(1);
      expect(created[0].aggregate_id).toBe(winner.id);
      expect(created[0].payload.phone).toBe(phone);
    });
  });

  describe('find or create by phone with a proposed id', () => {
    const proposed = (n: number) => `5e1f0c2a-7b3d-4e8f-9a6b-${String(n).padStart(12, '0')}`;

    it('stores the proposed id when it creates the contact, and raises contact.created for it', async () => {
      const id = proposed(1);
      const result = await findOrCreate.execute({ tenantId: tenantA, id, phone: '5591900000001@c.us', name: 'Saga' });
      expect(result.created).toBe(true);
      expect(result.contact.id).toBe(id);
      expect(await db.query(`SELECT id, phone FROM contacts WHERE id = $1`, [id])).toEqual([
        { id, phone: '5591900000001' },
      ]);
      expect((await outboxRowsFor(db, id)).map((e) => [e.type, e.payload.id])).toEqual([['contact.created', id]]);
      await expect(get.execute({ tenantId: tenantA, id })).resolves.toEqual(result.contact);
    });

    it('returns the existing contact (with its own id) and does not use the proposed id', async () => {
      const existing = await create.execute({ tenantId: tenantA, phone: '5591900000002', name: 'Already here' });
      const id = proposed(2);
      const result = await findOrCreate.execute({ tenantId: tenantA, id, phone: '+55 91 90000-0002', name: 'Saga' });
      expect(result).toEqual({ contact: existing, created: false });
      expect(result.contact.id).not.toBe(id);
      expect(await db.query(`SELECT id FROM contacts WHERE id = $1`, [id])).toEqual([]);
      expect(await outboxRowsFor(db, id)).toEqual([]);
      // The saga's compensation, deleting the proposed id, finds nothing and leaves the existing contact alone.
      expect(await rejection(remove.execute({ tenantId: tenantA, id }))).toBeInstanceOf(ContactNotFoundError);
      await expect(get.execute({ tenantId: tenantA, id: existing.id })).resolves.toEqual(existing);
    });

    it('answers a retry with the contact the first attempt created (created: false, the proposed id)', async () => {
      const id = proposed(3);
      const first = await findOrCreate.execute({ tenantId: tenantA, id, phone: '5591900000003' });
      const retry = await findOrCreate.execute({ tenantId: tenantA, id, phone: '5591900000003' });
      expect(first.created).toBe(true);
      expect(retry).toEqual({ contact: first.contact, created: false });
      expect(retry.contact.id).toBe(id);
      expect((await outboxRowsFor(db, id)).map((e) => e.type)).toEqual(['contact.created']);
    });

    it('lets the compensation soft-delete exactly the contact it created', async () => {
      const id = proposed(4);
      const { contact } = await findOrCreate.execute({ tenantId: tenantA, id, phone: '5591900000004' });
      await remove.execute({ tenantId: tenantA, id: contact.id });
      expect(await liveRowsWithPhone(tenantA, '5591900000004')).toBe(0);
      expect((await outboxRowsFor(db, id)).map((e) => e.type)).toEqual(['contact.created', 'contact.deleted']);
    });

    it('rejects a proposed id that another (here: deleted) contact has, without writing anything', async () => {
      const id = proposed(5);
      await findOrCreate.execute({ tenantId: tenantA, id, phone: '5591900000005' });
      await remove.execute({ tenantId: tenantA, id });
      const error = await rejection(findOrCreate.execute({ tenantId: tenantA, id, phone: '5591900000005' }));
      expect(error).toBeInstanceOf(ContactIdTakenError);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ContactIdTakenError).field).toBe('id');
      expect(await liveRowsWithPhone(tenantA, '5591900000005')).toBe(0);
      // In another tenant too: ids are global.
      expect(await rejection(findOrCreate.execute({ tenantId: tenantB, id, phone: '5591900000006' }))).toBeInstanceOf(
        ContactIdTakenError,
      );
      expect(await liveRowsWithPhone(tenantB, '5591900000006')).toBe(0);
      expect((await outboxRowsFor(db, id)).map((e) => e.type)).toEqual(['contact.created', 'contact.deleted']);
    });

    it('validates the proposed id even when an existing contact makes it unused', async () => {
      await create.execute({ tenantId: tenantA, phone: '5591900000007' });
      for (const phone of ['5591900000007', '5591900000008']) {
        const error = await rejection(findOrCreate.execute({ tenantId: tenantA, id: 'not-a-uuid', phone }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe('id');
      }
      expect(await liveRowsWithPhone(tenantA, '5591900000008')).toBe(0);
    });

    it('creates through CreateContact with a proposed id too', async () => {
      const id = proposed(9);
      const view = await create.execute({ tenantId: tenantA, id, phone: '5591900000009' });
      expect(view.id).toBe(id);
      expect(await rejection(create.execute({ tenantId: tenantA, id, phone: '5591900000010' }))).toBeInstanceOf(
        ContactIdTakenError,
      );
      expect(await liveRowsWithPhone(tenantA, '5591900000010')).toBe(0);
    });
  });

  describe('set first touch', () => {
    const adTouch = {
      sourceType: 'ad',
      sourceId: '120208000000001',
      sourceUrl: 'https://fb.me/abc',
      headline: 'Black Friday',
      ctwaClid: 'clid-1',
      nested: { media: ['image'], score: 1.5, active: true, none: null },
    };

    it('stores the first touch, raises contact.updated with it and shows it in every view', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5592900000001', name: 'Ad lead' });
      const result = await setFirstTouch.execute({ tenantId: tenantA, contactId: created.id, firstTouch: adTouch });
      expect(result.set).toBe(true);
      expect(result.contact).toEqual({ ...created, firstTouch: adTouch, updatedAt: expect.any(String) });

      const [row] = await db.query(`SELECT first_touch, version, updated_at FROM contacts WHERE id = $1`, [created.id]);
      expect(row.first_touch).toEqual(adTouch);
      expect(row.version).toBe(2);
      expect(row.updated_at.toISOString()).toBe(result.contact.updatedAt);

      await expect(get.execute({ tenantId: tenantA, id: created.id })).resolves.toEqual(result.contact);
      const listed = await list.execute({ tenantId: tenantA, search: 'Ad lead' });
      expect(listed.data).toEqual([result.contact]);

      const events = await outboxRowsFor(db, created.id);
      expect(events.map((e) => e.type)).toEqual(['contact.created', 'contact.updated']);
      expect(events[1]!.payload).toEqual({
        id: created.id,
        phone: '5592900000001',
        whatsappId: null,
        name: 'Ad lead',
        profilePictureUrl: null,
        source: 'api',
        changedFields: ['firstTouch'],
        changes: { firstTouch: adTouch },
        updatedAt: result.contact.updatedAt,
      });
    });

    it('lets the first touch win: a second call keeps it, stores nothing and raises nothing', async () => {
      const { contact } = await findOrCreate.execute({ tenantId: tenantA, phone: '5592900000002' });
      await setFirstTouch.execute({ tenantId: tenantA, contactId: contact.id, firstTouch: adTouch });
      const second = await setFirstTouch.execute({
        tenantId: tenantA,
        contactId: contact.id,
        firstTouch: { sourceId: 'later-ad' },
      });
      expect(second.set).toBe(false);
      expect(second.contact.firstTouch).toEqual(adTouch);
      expect((await db.query(`SELECT version FROM contacts WHERE id = $1`, [contact.id]))[0].version).toBe(2);
      expect((await outboxRowsFor(db, contact.id)).map((e) => e.type)).toEqual(['contact.created', 'contact.updated']);
    });

    it('keeps the first touch through later updates', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5592900000003', name: 'Before' });
      await setFirstTouch.execute({ tenantId: tenantA, contactId: created.id, firstTouch: adTouch });
      const updated = await update.execute({ tenantId: tenantA, id: created.id, name: 'After' });
      expect(updated).toMatchObject({ name: 'After', firstTouch: adTouch });
      const [row] = await db.query(`SELECT name, first_touch, version FROM contacts WHERE id = $1`, [created.id]);
      expect(row).toEqual({ name: 'After', first_touch: adTouch, version: 3 });
    });

    it('stores exactly one first touch and raises one event under 10 concurrent calls', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5592900000004' });
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          setFirstTouch.execute({ tenantId: tenantA, contactId: created.id, firstTouch: { sourceId: `ad-${i}` } }),
        ),
      );
      const winners = results.filter((r) => r.set);
      expect(winners).toHaveLength(1);
      const winning = winners[0]!.contact.firstTouch;
      for (const result of results) expect(result.contact.firstTouch).toEqual(winning);
      const [row] = await db.query(`SELECT first_touch, version FROM contacts WHERE id = $1`, [created.id]);
      expect(row).toEqual({ first_touch: winning, version: 2 });
      expect((await outboxRowsFor(db, created.id)).map((e) => e.type)).toEqual(['contact.created', 'contact.updated']);
    });

    it('answers ContactNotFoundError for unknown, other-tenant and deleted contacts, and writes nothing', async () => {
      const own = await create.execute({ tenantId: tenantA, phone: '5592900000005' });
      const gone = await create.execute({ tenantId: tenantA, phone: '5592900000006' });
      await remove.execute({ tenantId: tenantA, id: gone.id });

      for (const [tenantId, contactId] of [
        [tenantA, '00000000-0000-4000-8000-000000000000'],
        [tenantB, own.id],
        [tenantA, gone.id],
      ] as const) {
        const error = await rejection(setFirstTouch.execute({ tenantId, contactId, firstTouch: adTouch }));
        expect(error).toBeInstanceOf(ContactNotFoundError);
      }
      const rows = await db.query(`SELECT id, first_touch FROM contacts WHERE id IN ($1, $2) ORDER BY phone`, [
        own.id,
        gone.id,
      ]);
      expect(rows).toEqual([
        { id: own.id, first_touch: null },
        { id: gone.id, first_touch: null },
      ]);
      expect((await outboxRowsFor(db, own.id)).map((e) => e.type)).toEqual(['contact.created']);
      expect((await outboxRowsFor(db, gone.id)).map((e) => e.type)).toEqual(['contact.created', 'contact.deleted']);
    });

    it('rejects more than 16 KiB of JSON (and non-objects) with a ValidationError on firstTouch, writing nothing', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5592900000007' });
      // {"blob":"..."} is 11 bytes plus the value.
      const atLimit = { blob: 'x'.repeat(16 * 1024 - 11) };
      for (const firstTouch of [{ blob: 'x'.repeat(16 * 1024 - 10) }, [] as never, null as never]) {
        const error = await rejection(setFirstTouch.execute({ tenantId: tenantA, contactId: created.id, firstTouch }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe('firstTouch');
      }
      expect(
        (await db.query(`SELECT first_touch FROM contacts WHERE id = $1`, [created.id]))[0].first_touch,
      ).toBeNull();
      expect((await outboxRowsFor(db, created.id)).map((e) => e.type)).toEqual(['contact.created']);

      const result = await setFirstTouch.execute({ tenantId: tenantA, contactId: created.id, firstTouch: atLimit });
      expect(result.set).toBe(true);
      expect((await db.query(`SELECT first_touch FROM contacts WHERE id = $1`, [created.id]))[0].first_touch).toEqual(
        atLimit,
      );
    });

    it('stores text jsonb is picky about (escapes, emoji, quotes) as given', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5592900000008' });
      const tricky = { a: '😀 "quoted" \\u0000 \\ud83d', b: "it's", c: 'ação', d: 1e21, e: -0.5 };
      await setFirstTouch.execute({ tenantId: tenantA, contactId: created.id, firstTouch: tricky });
      expect((await get.execute({ tenantId: tenantA, id: created.id })).firstTouch).toEqual(tricky);
    });
  });

  describe('outbox atomicity', () => {
    it('keeps neither the contact nor its event when the unit of work fails after writing both', async () => {
      const unitOfWork = moduleRef.get(UnitOfWork);
      const outbox = moduleRef.get(EventOutbox);
      const repository = moduleRef.get(ContactRepository, { strict: false });
      const contact = Contact.create(
        { tenantId: tenantA, phone: '5581900000001', name: 'Rolled back', source: 'api' },
        new Date(),
      );

      const error = await rejection(
        unitOfWork.run(async () => {
          await repository.insert(contact);
          await outbox.append(contact.pullEvents());
          // Both writes are visible inside the transaction...
          expect(await repository.findById(tenantA, contact.id)).not.toBeNull();
          throw new Error('failure after writing');
        }),
      );
      expect((error as Error).message).toBe('failure after writing');

      // ...and gone after it rolls back.
      expect(await db.query(`SELECT id FROM contacts WHERE id = $1`, [contact.id])).toEqual([]);
      expect(await outboxRowsFor(db, contact.id)).toEqual([]);
      expect(await liveRowsWithPhone(tenantA, '5581900000001')).toBe(0);

      // The phone was never taken: a real create succeeds and writes its single event.
      const view = await create.execute({ tenantId: tenantA, phone: '5581900000001' });
      expect((await outboxRowsFor(db, view.id)).map((e) => [e.type, e.aggregate_type, e.tenant_id])).toEqual([
        ['contact.created', 'contact', tenantA],
      ]);
    });

    it('rolls back the state change of a use case whose event write fails', async () => {
      const created = await create.execute({ tenantId: tenantA, phone: '5581900000002', name: 'Before' });
      const outbox = moduleRef.get(EventOutbox);
      const append = jest.spyOn(outbox, 'append').mockRejectedValueOnce(new Error('outbox unavailable'));
      try {
        const error = await rejection(update.execute({ tenantId: tenantA, id: created.id, name: 'After' }));
        expect((error as Error).message).toBe('outbox unavailable');
        expect(append).toHaveBeenCalledTimes(1);
      } finally {
        append.mockRestore();
      }
      await expect(get.execute({ tenantId: tenantA, id: created.id })).resolves.toEqual(created);
      const [row] = await db.query(`SELECT name, version FROM contacts WHERE id = $1`, [created.id]);
      expect(row).toEqual({ name: 'Before', version: 1 });
      expect((await outboxRowsFor(db, created.id)).map((e) => e.type)).toEqual(['contact.created']);
    });
  });
});
