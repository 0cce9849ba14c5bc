import { type TestingModule } from '@nestjs/testing';
import { type DataSource } from 'typeorm';
import { ConflictError, UnitOfWork } from '@app/shared';
import {
  Contact,
  ContactIdTakenError,
  ContactNotFoundError,
  ContactRepository,
  ContactVersionConflictError,
  DuplicateContactPhoneError,
  PhoneNumber,
} from '@app/contact';
import { createContactTestContext } from '../../../../../test/support/contact-test-context';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('TypeOrmContactRepository (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let repository: ContactRepository;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    const context = await createContactTestContext();
    ({ moduleRef, db } = context);
    repository = moduleRef.get(ContactRepository, { strict: false });
    tenantA = await context.createTenant('Repo A');
    tenantB = await context.createTenant('Repo B');
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const newContact = (tenantId: string, phone: string, name: string | null = null) =>
    Contact.create({ tenantId, phone, name, source: 'manual' }, new Date('2025-11-26T10:00:00.123Z'));

  it('reads back exactly what it stored', async () => {
    const contact = Contact.create(
      {
        tenantId: tenantA,
        phone: '5511900000001',
        name: 'Round Trip',
        whatsappId: '5511900000001@c.us',
        profilePictureUrl: 'https://cdn.example.com/p.png',
        source: 'import',
      },
      new Date('2025-11-26T10:00:00.123Z'),
    );
    await repository.insert(contact);
    expect(contact.expectedVersion).toBe(1);
    expect(contact.hasUnsavedChanges).toBe(false);

    const loaded = await repository.findById(tenantA, contact.id);
    expect(loaded?.toProps()).toEqual(contact.toProps());
    expect(loaded?.pullEvents()).toEqual([]);
    expect((await repository.findLiveByPhone(tenantA, PhoneNumber.parse('+55 11 90000-0001')))?.id).toBe(contact.id);
  });

  it('stores and reads back the first touch (jsonb) through insert, insertIfAbsent and update', async () => {
    const touch = {
      sourceType: 'ad',
      sourceId: '120208',
      nested: { list: [1, 'two', null], flag: false },
      text: 'ação 😀 "q"',
    };
    const viaInsert = Contact.rehydrate({
      ...newContact(tenantA, '5511900000101').toProps(),
      firstTouch: touch,
      version: 1,
    });
    await repository.insert(viaInsert);
    expect((await repository.findById(tenantA, viaInsert.id))?.firstTouch).toEqual(touch);

    const viaInsertIfAbsent = Contact.rehydrate({
      ...newContact(tenantA, '5511900000102').toProps(),
      firstTouch: touch,
      version: 1,
    });
    expect(await repository.insertIfAbsent(viaInsertIfAbsent)).toBe(true);
    expect((await repository.findById(tenantA, viaInsertIfAbsent.id))?.toProps()).toEqual(viaInsertIfAbsent.toProps());

    const viaUpdate = newContact(tenantA, '5511900000103');
    await repository.insert(viaUpdate);
    expect(
      (await db.query(`SELECT first_touch FROM contacts WHERE id = $1`, [viaUpdate.id]))[0].first_touch,
    ).toBeNull();
    expect(viaUpdate.setFirstTouch(touch, new Date())).toBe(true);
    await repository.update(viaUpdate);
    const [row] = await db.query(
      `SELECT first_touch, jsonb_typeof(first_touch) AS kind, version FROM contacts WHERE id = $1`,
      [viaUpdate.id],
    );
    expect(row).toEqual({ first_touch: touch, kind: 'object', version: 2 });
    expect((await repository.findById(tenantA, viaUpdate.id))?.toProps()).toEqual(viaUpdate.toProps());
  });

  it('refuses an id that is already taken, with ContactIdTakenError, in insert and insertIfAbsent', async () => {
    const first = newContact(tenantA, '5511900000104');
    await repository.insert(first);
    const sameId = () =>
      Contact.create({ id: first.id, tenantId: tenantB, phone: '5511900000105', source: 'api' }, new Date());
    const viaInsert = await rejection(repository.insert(sameId()));
    expect(viaInsert).toBeInstanceOf(ContactIdTakenError);
    expect((viaInsert as ContactIdTakenError).code).toBe('CONTACT.ID_TAKEN');
    expect(await rejection(repository.insertIfAbsent(sameId()))).toBeInstanceOf(ContactIdTakenError);
    expect(await repository.findLiveByPhone(tenantB, PhoneNumber.parse('5511900000105'))).toBeNull();
  });

  it('findByIdForUpdate makes a second locker wait until the first unit of work ends, then see its change', async () => {
    const contact = newContact(tenantA, '5511900000106', 'Locked');
    await repository.insert(contact);
    const unitOfWork = moduleRef.get(UnitOfWork);

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const first = unitOfWork.run(async () => {
      const mine = (await repository.findByIdForUpdate(tenantA, contact.id))!;
      locked();
      await released;
      mine.update({ name: 'Changed under lock' }, new Date());
      await repository.update(mine);
    });
    await isLocked;

    let secondRead = false;
    const second = unitOfWork.run(async () => {
      const seen = await repository.findByIdForUpdate(tenantA, contact.id);
      secondRead = true;
      return seen;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondRead).toBe(false);

    release();
    await first;
    const seen = await second;
    expect(seen?.name).toBe('Changed under lock');
    expect(seen?.version).toBe(2);
    expect(await unitOfWork.run(() => repository.findByIdForUpdate(tenantB, contact.id))).toBeNull();
  });

  it('scopes every read to the tenant', async () => {
    const contact = newContact(tenantA, '5511900000002', 'Scoped');
    await repository.insert(contact);
    expect(await repository.findById(tenantB, contact.id)).toBeNull();
    expect(await repository.findLiveByPhone(tenantB, PhoneNumber.parse('5511900000002'))).toBeNull();
    expect((await repository.list(tenantB, { limit: 100 })).map((r) => r.item.id)).not.toContain(contact.id);
    expect((await repository.list(tenantA, { limit: 100 })).map((r) => r.item.id)).toContain(contact.id);
  });

  it('answers null (not a database error) for ids and tenants that are not UUIDs', async () => {
    expect(await repository.findById(tenantA, 'not-a-uuid')).toBeNull();
    expect(await repository.findById('not-a-uuid', '00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await repository.list('not-a-uuid', { limit: 10 })).toEqual([]);
  });

  it('translates the live-phone unique index violation into DuplicateContactPhoneError', async () => {
    await repository.insert(newContact(tenantA, '5511900000003'));
    const error = await rejection(repository.insert(newContact(tenantA, '5511900000003')));
    expect(error).toBeInstanceOf(DuplicateContactPhoneError);
    expect((error as DuplicateContactPhoneError).phone).toBe('5511900000003');
  });

  it('insertIfAbsent stores only when no live contact has the phone, and again once it is deleted', async () => {
    const first = newContact(tenantA, '5511900000004');
    expect(await repository.insertIfAbsent(first)).toBe(true);
    expect(first.hasUnsavedChanges).toBe(false);

    const second = newContact(tenantA, '5511900000004');
    expect(await repository.insertIfAbsent(second)).toBe(false);
    expect(second.hasUnsavedChanges).toBe(true);
    expect(await db.query(`SELECT id FROM contacts WHERE phone = '5511900000004'`)).toEqual([{ id: first.id }]);

    first.softDelete(new Date());
    await repository.update(first);
    const third = newContact(tenantA, '5511900000004');
    expect(await repository.insertIfAbsent(third)).toBe(true);
    expect((await repository.findLiveByPhone(tenantA, PhoneNumber.parse('5511900000004')))?.id).toBe(third.id);
  });

  it('detects a concurrent change with the version check and keeps the first writer', async () => {
    const contact = newContact(tenantA, '5511900000005', 'Original');
    await repository.insert(contact);
    const readerOne = (await repository.findById(tenantA, contact.id))!;
    const readerTwo = (await repository.findById(tenantA, contact.id))!;

    readerOne.update({ name: 'First writer' }, new Date());
    await repository.update(readerOne);
    expect(readerOne.version).toBe(2);
    expect(readerOne.expectedVersion).toBe(2);

    readerTwo.update({ name: 'Second writer' }, new Date());
    const error = await rejection(repository.update(readerTwo));
    expect(error).toBeInstanceOf(ContactVersionConflictError);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ContactVersionConflictError).code).toBe('CONTACT.VERSION_CONFLICT');

    const [row] = await db.query(`SELECT name, version FROM contacts WHERE id = $1`, [contact.id]);
    expect(row).toEqual({ name: 'First writer', version: 2 });

    // Saving the same instance twice works: the version it expects follows each save.
    readerOne.update({ name: 'First writer again' }, new Date());
    await repository.update(readerOne);
    expect((await db.query(`SELECT version FROM contacts WHERE id = $1`, [contact.id]))[0].version).toBe(3);
  });

  it('reports a contact deleted meanwhile as not found, and a phone taken meanwhile as a duplicate', async () => {
    const contact = newContact(tenantA, '5511900000006');
    await repository.insert(contact);
    const stale = (await repository.findById(tenantA, contact.id))!;
    const deleter = (await repository.findById(tenantA, contact.id))!;
    deleter.softDelete(new Date());
    await repository.update(deleter);

    stale.update({ name: 'Too late' }, new Date());
    expect(await rejection(repository.update(stale))).toBeInstanceOf(ContactNotFoundError);

    const other = newContact(tenantA, '5511900000007');
    await repository.insert(other);
    const mover = newContact(tenantA, '5511900000008');
    await repository.insert(mover);
    mover.update({ phone: '5511900000007' }, new Date());
    expect(await rejection(repository.update(mover))).toBeInstanceOf(DuplicateContactPhoneError);
  });

  it('joins the unit of work it runs in', async () => {
    const contact = newContact(tenantA, '5511900000009');
    const error = await rejection(
      moduleRef.get(UnitOfWork).run(async () => {
        await repository.insert(contact);
        expect((await repository.findLiveByPhone(tenantA, PhoneNumber.parse('5511900000009')))?.id).toBe(contact.id);
        throw new Error('abort');
      }),
    );
    expect((error as Error).message).toBe('abort');
    expect(await repository.findById(tenantA, contact.id)).toBeNull();
  });

  it('lists after a keyset position in (createdAt DESC, id DESC) order, ties broken by id', async () => {
    const tenant = tenantB;
    const at = new Date('2025-01-01T00:00:00.000Z');
    const same = [
      newContactAt(tenant, '4930100000001', at),
      newContactAt(tenant, '4930100000002', at),
      newContactAt(tenant, '4930100000003', at),
    ];
    const later = newContactAt(tenant, '4930100000004', new Date('2025-01-02T00:00:00.000Z'));
    for (const c of [...same, later]) await repository.insert(c);

    const expected = [
      later.id,
      ...same
        .map((c) => c.id)
        .sort()
        .reverse(),
    ];
    const all = (
      await repository.list(tenant, {
        limit: 100,
        search: { phonePrefix: '49301', nameContains: 'no name matches this' },
      })
    ).map((r) => r.item.id);
    expect(all).toEqual(expected);

    const afterSecond = await repository.list(tenant, {
      limit: 100,
      after: { createdAt: at.toISOString(), id: expected[1]! },
      search: { phonePrefix: '49301', nameContains: 'no name matches this' },
    });
    expect(afterSecond.map((r) => r.item.id)).toEqual(expected.slice(2));
  });

  function newContactAt(tenantId: string, phone: string, at: Date): Contact {
    return Contact.create({ tenantId, phone, source: 'import' }, at);
  }
});
