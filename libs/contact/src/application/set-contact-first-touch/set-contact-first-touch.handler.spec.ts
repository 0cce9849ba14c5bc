import { type Clock, type DomainEvent, type EventOutbox, type UnitOfWork, ValidationError } from '@app/shared';
import { Contact } from '../../domain/contact.aggregate';
import { ContactNotFoundError } from '../../domain/contact.errors';
import { type ContactRepository } from '../../domain/contact.repository.port';
import { SetContactFirstTouchHandler } from './set-contact-first-touch.handler';

const TENANT = '6f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f';
const CONTACT_ID = '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30';
const T0 = new Date('2025-11-26T10:00:00.000Z');
const NOW = new Date('2025-11-26T11:00:00.000Z');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('SetContactFirstTouchHandler', () => {
  let stored: Contact | null;
  let locked: string[];
  let updated: Contact[];
  let appended: DomainEvent[];
  let units: number;
  let handler: SetContactFirstTouchHandler;

  beforeEach(() => {
    stored = Contact.rehydrate({
      id: CONTACT_ID,
      tenantId: TENANT,
      phone: '5511999990000',
      whatsappId: null,
      name: 'Ana',
      profilePictureUrl: null,
      source: 'whatsapp',
      firstTouch: null,
      createdAt: T0,
      updatedAt: T0,
      deletedAt: null,
      version: 1,
    });
    locked = [];
    updated = [];
    appended = [];
    units = 0;
    const contacts = {
      findByIdForUpdate: async (tenantId: string, id: string) => {
        locked.push(`${tenantId}/${id}`);
        return stored && stored.tenantId === tenantId && stored.id === id ? Contact.rehydrate(stored.toProps()) : null;
      },
      update: async (contact: Contact) => {
        updated.push(contact);
        contact.markPersisted();
        stored = Contact.rehydrate(contact.toProps());
      },
    } as unknown as ContactRepository;
    const unitOfWork: UnitOfWork = {
      run: async (work) => {
        units += 1;
        return work();
      },
    };
    const outbox: EventOutbox = { append: async (events) => void appended.push(...events) };
    const clock: Clock = { now: () => NOW };
    handler = new SetContactFirstTouchHandler(contacts, unitOfWork, outbox, clock);
  });

  it('stores the first touch in one unit of work with its contact.updated event', async () => {
    const result = await handler.execute({ tenantId: TENANT, contactId: CONTACT_ID, firstTouch: { sourceId: 'ad-1' } });
    expect(result.set).toBe(true);
    expect(result.contact).toMatchObject({
      id: CONTACT_ID,
      firstTouch: { sourceId: 'ad-1' },
      updatedAt: NOW.toISOString(),
    });
    expect(units).toBe(1);
    expect(locked).toEqual([`${TENANT}/${CONTACT_ID}`]);
    expect(updated).toHaveLength(1);
    expect(appended.map((e) => [e.type, e.aggregateId, (e.data as { changedFields: string[] }).changedFields])).toEqual(
      [['contact.updated', CONTACT_ID, ['firstTouch']]],
    );
  });

  it('keeps the first touch already stored and writes nothing', async () => {
    await handler.execute({ tenantId: TENANT, contactId: CONTACT_ID, firstTouch: { sourceId: 'ad-1' } });
    updated = [];
    appended = [];
    const again = await handler.execute({ tenantId: TENANT, contactId: CONTACT_ID, firstTouch: { sourceId: 'ad-2' } });
    expect(again).toMatchObject({ set: false, contact: { firstTouch: { sourceId: 'ad-1' } } });
    expect(updated).toEqual([]);
    expect(appended).toEqual([]);
  });

  it('answers ContactNotFoundError for a contact of another tenant or an unknown one', async () => {
    const other = '7a1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f';
    expect(await rejection(handler.execute({ tenantId: other, contactId: CONTACT_ID, firstTouch: {} }))).toBeInstanceOf(
      ContactNotFoundError,
    );
    expect(await rejection(handler.execute({ tenantId: TENANT, contactId: other, firstTouch: {} }))).toBeInstanceOf(
      ContactNotFoundError,
    );
    expect(updated).toEqual([]);
  });

  it('validates the contact id and the data before opening a unit of work', async () => {
    const badId = await rejection(handler.execute({ tenantId: TENANT, contactId: 'nope', firstTouch: {} }));
    expect(badId).toBeInstanceOf(ValidationError);
    expect((badId as ValidationError).field).toBe('contactId');

    const tooBig = await rejection(
      handler.execute({ tenantId: TENANT, contactId: CONTACT_ID, firstTouch: { blob: 'x'.repeat(16 * 1024) } }),
    );
    expect(tooBig).toBeInstanceOf(ValidationError);
    expect((tooBig as ValidationError).field).toBe('firstTouch');

    const notObject = await rejection(
      handler.execute({ tenantId: TENANT, contactId: CONTACT_ID, firstTouch: [] as never }),
    );
    expect((notObject as ValidationError).field).toBe('firstTouch');
    expect(units).toBe(0);
    expect(locked).toEqual([]);
  });
});
