import { ValidationError } from '@app/shared';
import { Contact, type ContactProps } from './contact.aggregate';
import { ContactAlreadyDeletedError } from './contact.errors';
import {
  type ContactCreatedEventData,
  type ContactDeletedEventData,
  ContactEventTypes,
  type ContactUpdatedEventData,
} from './contact.events';
import { PhoneNumber } from './phone-number.value-object';

const TENANT = '6f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f';
const T0 = new Date('2025-11-26T10:00:00.000Z');
const T1 = new Date('2025-11-26T11:00:00.000Z');
const T2 = new Date('2025-11-26T12:00:00.000Z');

function newContact(overrides: Partial<Parameters<typeof Contact.create>[0]> = {}): Contact {
  return Contact.create(
    {
      tenantId: TENANT,
      phone: '+55 (11) 99999-0000',
      name: 'Ana Souza',
      whatsappId: '5511999990000@c.us',
      profilePictureUrl: 'https://pps.whatsapp.net/ana.jpg',
      source: 'whatsapp',
      ...overrides,
    },
    T0,
  );
}

function stored(overrides: Partial<ContactProps> = {}): Contact {
  return Contact.rehydrate({
    id: '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30',
    tenantId: TENANT,
    phone: '5511999990000',
    whatsappId: null,
    name: 'Ana',
    profilePictureUrl: null,
    source: 'api',
    firstTouch: null,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    version: 3,
    ...overrides,
  });
}

describe('Contact', () => {
  describe('create', () => {
    it('normalises its input and records contact.created with the snapshot', () => {
      const contact = newContact();
      expect(contact.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(contact.phone).toBe('5511999990000');
      expect(contact.createdAt).toEqual(T0);
      expect(contact.updatedAt).toEqual(T0);
      expect(contact.deletedAt).toBeNull();
      expect(contact.version).toBe(1);
      expect(contact.expectedVersion).toBe(0);

      const events = contact.pullEvents();
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event).toMatchObject({
        type: ContactEventTypes.created,
        tenantId: TENANT,
        aggregateType: 'contact',
        aggregateId: contact.id,
        occurredAt: T0,
      });
      expect(event!.data).toEqual<ContactCreatedEventData>({
        id: contact.id,
        phone: '5511999990000',
        whatsappId: '5511999990000@c.us',
        name: 'Ana Souza',
        profilePictureUrl: 'https://pps.whatsapp.net/ana.jpg',
        source: 'whatsapp',
        createdAt: T0.toISOString(),
      });
      expect(contact.pullEvents()).toEqual([]);
    });

    it('uses a proposed id (stored lower-case) instead of a random one', () => {
      const proposed = '7D3B2A1C-0E4F-4A5B-8C6D-9E0F1A2B3C4D';
      const contact = newContact({ id: proposed });
      expect(contact.id).toBe(proposed.toLowerCase());
      expect(contact.pullEvents()[0]).toMatchObject({
        aggregateId: proposed.toLowerCase(),
        data: { id: proposed.toLowerCase() },
      });
      expect(newContact({ id: undefined }).id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('starts without a first touch', () => {
      expect(newContact().firstTouch).toBeNull();
      expect(newContact().toProps().firstTouch).toBeNull();
    });

    it('gives every contact its own id and every event its own id', () => {
      const a = newContact();
      const b = newContact();
      expect(a.id).not.toBe(b.id);
      expect(a.pullEvents()[0]!.id).not.toBe(b.pullEvents()[0]!.id);
    });

    it('stores blank optional fields as null and trims names', () => {
      const contact = newContact({ name: '  ', whatsappId: '', profilePictureUrl: undefined });
      expect(contact.name).toBeNull();
      expect(contact.whatsappId).toBeNull();
      expect(contact.profilePictureUrl).toBeNull();
      expect(newContact({ name: '  Ana  ' }).name).toBe('Ana');
    });

    it('accepts an already parsed phone number', () => {
      expect(newContact({ phone: PhoneNumber.parse('0055 11 98888 1111') }).phone).toBe('5511988881111');
    });

    it.each([
      [{ phone: '123' }, 'phone'],
      [{ tenantId: 'not-a-uuid' }, 'tenantId'],
      [{ id: 'not-a-uuid' }, 'id'],
      [{ id: '' }, 'id'],
      [{ source: 'fax' as never }, 'source'],
      [{ profilePictureUrl: 'ftp://example.com/a.jpg' }, 'profilePictureUrl'],
      [{ profilePictureUrl: 'not a url' }, 'profilePictureUrl'],
      [{ whatsappId: '5511 9999@c.us' }, 'whatsappId'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ name: 'Ana\u0000' }, 'name'],
      [{ whatsappId: '5511\u0000@c.us' }, 'whatsappId'],
      [{ profilePictureUrl: 'https://example.com/\u0007.png' }, 'profilePictureUrl'],
    ])('rejects %p with a ValidationError naming %p', (overrides, field) => {
      let caught: unknown;
      try {
        newContact(overrides);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).field).toBe(field);
    });
  });

  describe('rehydrate', () => {
    it('restores the stored state and records nothing', () => {
      const contact = stored();
      expect(contact.version).toBe(3);
      expect(contact.expectedVersion).toBe(3);
      expect(contact.hasUnsavedChanges).toBe(false);
      expect(contact.pullEvents()).toEqual([]);
    });

    it('keeps a stored first touch, as a copy of the given one', () => {
      const firstTouch = { sourceId: 'ad-1', nested: { ctwaClid: 'abc' } };
      const contact = stored({ firstTouch });
      firstTouch.nested.ctwaClid = 'changed';
      expect(contact.firstTouch).toEqual({ sourceId: 'ad-1', nested: { ctwaClid: 'abc' } });
    });
  });

  describe('update', () => {
    it('records contact.updated with the changed fields, their new values and the new snapshot', () => {
      const contact = stored();
      const changed = contact.update(
        {
          name: 'Ana Lima',
          phone: '+55 11 98888-1111',
          whatsappId: undefined,
          profilePictureUrl: 'https://cdn.example.com/a.png',
        },
        T1,
      );
      expect(changed).toEqual(['phone', 'name', 'profilePictureUrl']);
      expect(contact.updatedAt).toEqual(T1);
      expect(contact.version).toBe(4);
      expect(contact.expectedVersion).toBe(3);

      const [event, ...rest] = contact.pullEvents();
      expect(rest).toEqual([]);
      expect(event).toMatchObject({
        type: ContactEventTypes.updated,
        aggregateId: contact.id,
        tenantId: TENANT,
        occurredAt: T1,
      });
      expect(event!.data).toEqual<ContactUpdatedEventData>({
        id: contact.id,
        phone: '5511988881111',
        whatsappId: null,
        name: 'Ana Lima',
        profilePictureUrl: 'https://cdn.example.com/a.png',
        source: 'api',
        changedFields: ['phone', 'name', 'profilePictureUrl'],
        changes: { phone: '5511988881111', name: 'Ana Lima', profilePictureUrl: 'https://cdn.example.com/a.png' },
        updatedAt: T1.toISOString(),
      });
    });

    it('clears a field when given null', () => {
      const contact = stored({ whatsappId: '5511999990000@c.us' });
      expect(contact.update({ whatsappId: null }, T1)).toEqual(['whatsappId']);
      expect(contact.whatsappId).toBeNull();
      expect((contact.pullEvents()[0]!.data as unknown as ContactUpdatedEventData).changes).toEqual({
        whatsappId: null,
      });
    });

    it('records nothing and keeps version and updatedAt when nothing really changes', () => {
      const contact = stored();
      // Same values in another format: the phone normalises to the stored one, the name trims to it.
      const changed = contact.update({ phone: '+55 (11) 99999-0000', name: ' Ana ', profilePictureUrl: null }, T1);
      expect(changed).toEqual([]);
      expect(contact.update({}, T1)).toEqual([]);
      expect(contact.pullEvents()).toEqual([]);
      expect(contact.version).toBe(3);
      expect(contact.updatedAt).toEqual(T0);
      expect(contact.hasUnsavedChanges).toBe(false);
    });

    it('steps the version once per save, however many changes come before it', () => {
      const contact = stored();
      contact.update({ name: 'A' }, T1);
      contact.update({ name: 'B' }, T2);
      expect(contact.version).toBe(4);
      expect(contact.pullEvents().map((e) => e.type)).toEqual([ContactEventTypes.updated, ContactEventTypes.updated]);
      contact.markPersisted();
      expect(contact.expectedVersion).toBe(4);
      contact.update({ name: 'C' }, T2);
      expect(contact.version).toBe(5);
    });

    it('validates new values before changing anything', () => {
      const contact = stored();
      expect(() => contact.update({ name: 'New', phone: '12' }, T1)).toThrow(ValidationError);
      expect(contact.name).toBe('Ana');
      expect(contact.pullEvents()).toEqual([]);
    });

    it('refuses to change a deleted contact', () => {
      const contact = stored({ deletedAt: T1 });
      expect(() => contact.update({ name: 'X' }, T2)).toThrow(ContactAlreadyDeletedError);
    });
  });

  describe('setFirstTouch', () => {
    const adTouch = {
      sourceType: 'ad',
      sourceId: '120208',
      sourceUrl: 'https://fb.me/abc',
      headline: 'Promo',
      ctwaClid: 'clid-1',
    };

    it('sets the first touch and records contact.updated naming only firstTouch', () => {
      const contact = stored();
      expect(contact.setFirstTouch(adTouch, T1)).toBe(true);
      expect(contact.firstTouch).toEqual(adTouch);
      expect(contact.updatedAt).toEqual(T1);
      expect(contact.version).toBe(4);
      expect(contact.expectedVersion).toBe(3);

      const [event, ...rest] = contact.pullEvents();
      expect(rest).toEqual([]);
      expect(event).toMatchObject({
        type: ContactEventTypes.updated,
        aggregateType: 'contact',
        aggregateId: contact.id,
        tenantId: TENANT,
        occurredAt: T1,
      });
      expect(event!.data).toEqual<ContactUpdatedEventData>({
        id: contact.id,
        phone: '5511999990000',
        whatsappId: null,
        name: 'Ana',
        profilePictureUrl: null,
        source: 'api',
        changedFields: ['firstTouch'],
        changes: { firstTouch: adTouch },
        updatedAt: T1.toISOString(),
      });
    });

    it('lets the first touch win: a later call changes nothing, records nothing and returns false', () => {
      const contact = stored();
      contact.setFirstTouch(adTouch, T1);
      contact.markPersisted();
      contact.pullEvents();
      expect(contact.setFirstTouch({ sourceId: 'other-ad' }, T2)).toBe(false);
      expect(contact.firstTouch).toEqual(adTouch);
      expect(contact.updatedAt).toEqual(T1);
      expect(contact.hasUnsavedChanges).toBe(false);
      expect(contact.pullEvents()).toEqual([]);
      // A contact read back with a first touch keeps it too.
      expect(stored({ firstTouch: { sourceId: 'stored' } }).setFirstTouch(adTouch, T1)).toBe(false);
    });

    it('stores the JSON form, and a copy no caller can change afterwards', () => {
      const data = { sourceId: 'ad-1', at: new Date('2025-11-26T10:00:00.000Z'), dropped: undefined, nested: { n: 1 } };
      const contact = stored();
      contact.setFirstTouch(data, T1);
      expect(contact.firstTouch).toEqual({ sourceId: 'ad-1', at: '2025-11-26T10:00:00.000Z', nested: { n: 1 } });
      expect('dropped' in contact.firstTouch!).toBe(false);

      data.nested.n = 2;
      (contact.firstTouch!.nested as { n: number }).n = 3;
      (contact.toProps().firstTouch!.nested as { n: number }).n = 4;
      expect(contact.firstTouch!.nested).toEqual({ n: 1 });
      const [event] = contact.pullEvents();
      expect((event!.data as unknown as ContactUpdatedEventData).changes.firstTouch).toEqual(contact.firstTouch);
    });

    it.each([
      ['null', null],
      ['an array', [{ sourceId: 'ad' }]],
      ['a string', 'ad-1'],
      ['more than 16 KiB of JSON', { blob: 'x'.repeat(16 * 1024) }],
    ])('rejects %s with a ValidationError on firstTouch, even when a first touch is already set', (_label, data) => {
      for (const contact of [stored(), stored({ firstTouch: { sourceId: 'kept' } })]) {
        let caught: unknown;
        try {
          contact.setFirstTouch(data as never, T1);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(ValidationError);
        expect((caught as ValidationError).field).toBe('firstTouch');
        expect(contact.pullEvents()).toEqual([]);
        expect(contact.hasUnsavedChanges).toBe(false);
      }
    });

    it('refuses to set the first touch of a deleted contact', () => {
      const contact = stored({ deletedAt: T1 });
      expect(() => contact.setFirstTouch(adTouch, T2)).toThrow(ContactAlreadyDeletedError);
      expect(contact.firstTouch).toBeNull();
    });
  });

  describe('softDelete', () => {
    it('sets deletedAt and records contact.deleted with the snapshot', () => {
      const contact = stored();
      contact.softDelete(T1);
      expect(contact.deletedAt).toEqual(T1);
      expect(contact.isDeleted).toBe(true);
      expect(contact.version).toBe(4);
      const [event, ...rest] = contact.pullEvents();
      expect(rest).toEqual([]);
      expect(event).toMatchObject({
        type: ContactEventTypes.deleted,
        aggregateType: 'contact',
        aggregateId: contact.id,
        occurredAt: T1,
      });
      expect(event!.data).toEqual<ContactDeletedEventData>({
        id: contact.id,
        phone: '5511999990000',
        whatsappId: null,
        name: 'Ana',
        profilePictureUrl: null,
        source: 'api',
        deletedAt: T1.toISOString(),
      });
    });

    it('fails when the contact is already deleted, and records nothing', () => {
      const contact = stored();
      contact.softDelete(T1);
      contact.pullEvents();
      let caught: unknown;
      try {
        contact.softDelete(T2);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ContactAlreadyDeletedError);
      expect((caught as ContactAlreadyDeletedError).code).toBe('CONTACT.ALREADY_DELETED');
      expect(contact.deletedAt).toEqual(T1);
      expect(contact.pullEvents()).toEqual([]);
    });
  });
});
