import { ValidationError } from '@app/shared';
import { type EncryptedSecret } from './channel-secrets';
import { Channel, type ChannelProps, type NewChannel } from './channel.aggregate';
import { type ChannelCreatedEventData, ChannelEventTypes, type ChannelUpdatedEventData } from './channel.events';

const TENANT = '6f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f';
const T0 = new Date('2025-11-26T10:00:00.000Z');
const T1 = new Date('2025-11-26T11:00:00.000Z');
const T2 = new Date('2025-11-26T12:00:00.000Z');
/** Stand-ins for ciphertext: the aggregate never looks inside. */
const API_KEY = 'enc-api-key-1' as EncryptedSecret;
const WEBHOOK_SECRET = 'enc-webhook-secret-1' as EncryptedSecret;

function newChannel(overrides: Partial<NewChannel> = {}): Channel {
  return Channel.create(
    {
      tenantId: TENANT,
      name: '  Sales WhatsApp  ',
      wahaBaseUrl: 'https://waha.example.com/',
      encryptedWahaApiKey: API_KEY,
      encryptedWebhookSecret: WEBHOOK_SECRET,
      ...overrides,
    },
    T0,
  );
}

function stored(overrides: Partial<ChannelProps> = {}): Channel {
  return Channel.rehydrate({
    id: '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30',
    tenantId: TENANT,
    name: 'Support',
    type: 'waha',
    wahaBaseUrl: 'http://waha:3000',
    wahaSession: 'default',
    encryptedWahaApiKey: null,
    encryptedWebhookSecret: WEBHOOK_SECRET,
    allowGroups: false,
    sessionTimeoutSeconds: 900,
    sessionWarningLeadSeconds: null,
    sessionWarningText: null,
    debounceWindowMs: null,
    inboundMode: null,
    wahaStatus: null,
    wahaStatusAt: null,
    createdAt: T0,
    updatedAt: T0,
    version: 2,
    ...overrides,
  });
}

function caught(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function expectValidationError(work: () => unknown, field: string): void {
  const error = caught(work);
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).field).toBe(field);
}

describe('Channel', () => {
  describe('create', () => {
    it('applies defaults, normalises its input and records channel.created without secrets', () => {
      const channel = newChannel();
      expect(channel.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(channel.toProps()).toEqual<ChannelProps>({
        id: channel.id,
        tenantId: TENANT,
        name: 'Sales WhatsApp',
        type: 'waha',
        wahaBaseUrl: 'https://waha.example.com',
        wahaSession: 'default',
        encryptedWahaApiKey: API_KEY,
        encryptedWebhookSecret: WEBHOOK_SECRET,
        allowGroups: false,
        sessionTimeoutSeconds: null,
        sessionWarningLeadSeconds: null,
        sessionWarningText: null,
        debounceWindowMs: null,
        inboundMode: null,
        wahaStatus: null,
        wahaStatusAt: null,
        createdAt: T0,
        updatedAt: T0,
        version: 1,
      });
      expect(channel.expectedVersion).toBe(0);
      expect(channel.hasWahaApiKey).toBe(true);

      const events = channel.pullEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: ChannelEventTypes.created,
        tenantId: TENANT,
        aggregateType: 'channel',
        aggregateId: channel.id,
        occurredAt: T0,
      });
      expect(events[0]!.data).toEqual<ChannelCreatedEventData>({
        id: channel.id,
        name: 'Sales WhatsApp',
        type: 'waha',
        wahaBaseUrl: 'https://waha.example.com',
        wahaSession: 'default',
        hasWahaApiKey: true,
        allowGroups: false,
        sessionTimeoutSeconds: null,
        sessionWarningLeadSeconds: null,
        sessionWarningText: null,
        debounceWindowMs: null,
        inboundMode: null,
        wahaStatus: null,
        wahaStatusAt: null,
        createdAt: T0.toISOString(),
      });
      expect(JSON.stringify(events)).not.toMatch(/enc-/);
      expect(channel.pullEvents()).toEqual([]);
    });

    it('takes every setting', () => {
      const channel = newChannel({
        wahaSession: 'sales_2',
        encryptedWahaApiKey: null,
        allowGroups: true,
        sessionTimeoutSeconds: 3600,
        sessionWarningLeadSeconds: 300,
        sessionWarningText: '  Are you still there?\nReply to keep talking.  ',
        debounceWindowMs: 2000,
        inboundMode: 'direct',
      });
      expect(channel.toProps()).toMatchObject({
        wahaSession: 'sales_2',
        encryptedWahaApiKey: null,
        allowGroups: true,
        sessionTimeoutSeconds: 3600,
        sessionWarningLeadSeconds: 300,
        sessionWarningText: 'Are you still there?\nReply to keep talking.',
        debounceWindowMs: 2000,
        inboundMode: 'direct',
      });
      expect(channel.hasWahaApiKey).toBe(false);
    });

    it('accepts a warning lead without a channel timeout (checked against the effective timeout later)', () => {
      const channel = newChannel({ sessionWarningLeadSeconds: 600, sessionWarningText: 'Still there?' });
      expect(channel.sessionTimeoutSeconds).toBeNull();
      expect(channel.sessionWarningLeadSeconds).toBe(600);
    });

    it.each<[Partial<NewChannel>, string]>([
      [{ tenantId: 'nope' }, 'tenantId'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'Sales\u0000' }, 'name'],
      [{ type: 'telegram' as never }, 'type'],
      [{ wahaBaseUrl: 'ftp://waha.example.com' }, 'wahaBaseUrl'],
      [{ wahaBaseUrl: 'waha.example.com' }, 'wahaBaseUrl'],
      [{ wahaBaseUrl: 'https://user:pass@waha.example.com' }, 'wahaBaseUrl'],
      [{ wahaBaseUrl: 'https://waha.example.com/?x-api-key=secret' }, 'wahaBaseUrl'],
      [{ wahaBaseUrl: 'https://waha.example.com/#top' }, 'wahaBaseUrl'],
      [{ wahaSession: '' }, 'wahaSession'],
      [{ wahaSession: 'my session' }, 'wahaSession'],
      [{ wahaSession: 'a/b' }, 'wahaSession'],
      [{ wahaSession: 'x'.repeat(65) }, 'wahaSession'],
      [{ encryptedWebhookSecret: '' as EncryptedSecret }, 'webhookSecret'],
      [{ allowGroups: 'yes' as never }, 'allowGroups'],
      [{ sessionTimeoutSeconds: 59 }, 'sessionTimeoutSeconds'],
      [{ sessionTimeoutSeconds: 604_801 }, 'sessionTimeoutSeconds'],
      [{ sessionTimeoutSeconds: 90.5 }, 'sessionTimeoutSeconds'],
      [{ sessionWarningLeadSeconds: 0, sessionWarningText: 'hi' }, 'sessionWarningLeadSeconds'],
      [{ sessionWarningText: 'x'.repeat(4097) }, 'sessionWarningText'],
      [{ sessionWarningText: 'bell \u0007' }, 'sessionWarningText'],
      [{ debounceWindowMs: 99 }, 'debounceWindowMs'],
      [{ debounceWindowMs: 600_001 }, 'debounceWindowMs'],
      [{ inboundMode: 'async' as never }, 'inboundMode'],
    ])('rejects %p with a ValidationError naming %p', (overrides, field) => {
      expectValidationError(() => newChannel(overrides), field);
    });

    it('accepts the limits of every range', () => {
      expect(newChannel({ sessionTimeoutSeconds: 60 }).sessionTimeoutSeconds).toBe(60);
      expect(newChannel({ sessionTimeoutSeconds: 604_800 }).sessionTimeoutSeconds).toBe(604_800);
      expect(newChannel({ debounceWindowMs: 100 }).debounceWindowMs).toBe(100);
      expect(newChannel({ debounceWindowMs: 600_000 }).debounceWindowMs).toBe(600_000);
      expect(
        newChannel({ sessionTimeoutSeconds: 60, sessionWarningLeadSeconds: 59, sessionWarningText: 'x' })
          .sessionWarningLeadSeconds,
      ).toBe(59);
    });

    it('refuses a warning lead that is not shorter than the timeout, naming sessionWarningLeadSeconds', () => {
      const error = caught(() =>
        newChannel({ sessionTimeoutSeconds: 600, sessionWarningLeadSeconds: 600, sessionWarningText: 'Still there?' }),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('sessionWarningLeadSeconds');
      expect((error as ValidationError).message).toBe(
        'sessionWarningLeadSeconds: must be less than sessionTimeoutSeconds (600)',
      );
    });

    it('refuses a warning lead without a text (a blank text counts as none)', () => {
      expectValidationError(
        () => newChannel({ sessionTimeoutSeconds: 600, sessionWarningLeadSeconds: 60 }),
        'sessionWarningLeadSeconds',
      );
      expectValidationError(
        () => newChannel({ sessionTimeoutSeconds: 600, sessionWarningLeadSeconds: 60, sessionWarningText: '   ' }),
        'sessionWarningLeadSeconds',
      );
    });
  });

  describe('rehydrate', () => {
    it('restores the stored state and records nothing', () => {
      const channel = stored();
      expect(channel.version).toBe(2);
      expect(channel.expectedVersion).toBe(2);
      expect(channel.hasUnsavedChanges).toBe(false);
      expect(channel.pullEvents()).toEqual([]);
    });
  });

  describe('update', () => {
    it('records channel.updated with the changed fields, their new values and the new snapshot', () => {
      const channel = stored();
      const changed = channel.update(
        {
          name: 'Support BR',
          wahaBaseUrl: 'http://waha:3000/',
          allowGroups: true,
          sessionWarningLeadSeconds: 120,
          sessionWarningText: 'Still there?',
          inboundMode: 'saga',
        },
        T1,
      );
      expect(changed).toEqual([
        'name',
        'allowGroups',
        'sessionWarningLeadSeconds',
        'sessionWarningText',
        'inboundMode',
      ]);
      expect(channel.updatedAt).toEqual(T1);
      expect(channel.version).toBe(3);
      expect(channel.expectedVersion).toBe(2);

      const [event, ...rest] = channel.pullEvents();
      expect(rest).toEqual([]);
      expect(event).toMatchObject({
        type: ChannelEventTypes.updated,
        aggregateId: channel.id,
        tenantId: TENANT,
        occurredAt: T1,
      });
      expect(event!.data).toEqual<ChannelUpdatedEventData>({
        id: channel.id,
        name: 'Support BR',
        type: 'waha',
        wahaBaseUrl: 'http://waha:3000',
        wahaSession: 'default',
        hasWahaApiKey: false,
        allowGroups: true,
        sessionTimeoutSeconds: 900,
        sessionWarningLeadSeconds: 120,
        sessionWarningText: 'Still there?',
        debounceWindowMs: null,
        inboundMode: 'saga',
        wahaStatus: null,
        wahaStatusAt: null,
        changedFields: ['name', 'allowGroups', 'sessionWarningLeadSeconds', 'sessionWarningText', 'inboundMode'],
        changes: {
          name: 'Support BR',
          allowGroups: true,
          sessionWarningLeadSeconds: 120,
          sessionWarningText: 'Still there?',
          inboundMode: 'saga',
        },
        updatedAt: T1.toISOString(),
      });
    });

    it('names a changed API key but never carries its value', () => {
      const channel = stored();
      expect(channel.update({ encryptedWahaApiKey: API_KEY }, T1)).toEqual(['wahaApiKey']);
      expect(channel.encryptedWahaApiKey).toBe(API_KEY);
      const data = channel.pullEvents()[0]!.data as unknown as ChannelUpdatedEventData;
      expect(data.changedFields).toEqual(['wahaApiKey']);
      expect(data.changes).toEqual({});
      expect(data.hasWahaApiKey).toBe(true);
      expect(JSON.stringify(data)).not.toMatch(/enc-/);

      expect(channel.update({ encryptedWahaApiKey: null }, T2)).toEqual(['wahaApiKey']);
      expect(channel.hasWahaApiKey).toBe(false);
    });

    it('clears optional settings with null', () => {
      const channel = stored({ debounceWindowMs: 1500, inboundMode: 'direct' });
      expect(channel.update({ sessionTimeoutSeconds: null, debounceWindowMs: null, inboundMode: null }, T1)).toEqual([
        'sessionTimeoutSeconds',
        'debounceWindowMs',
        'inboundMode',
      ]);
      expect((channel.pullEvents()[0]!.data as unknown as ChannelUpdatedEventData).changes).toEqual({
        sessionTimeoutSeconds: null,
        debounceWindowMs: null,
        inboundMode: null,
      });
    });

    it('records nothing and keeps version and updatedAt when nothing really changes', () => {
      const channel = stored();
      expect(
        channel.update(
          { name: ' Support ', wahaBaseUrl: 'http://waha:3000/', sessionTimeoutSeconds: 900, inboundMode: null },
          T1,
        ),
      ).toEqual([]);
      expect(channel.update({}, T1)).toEqual([]);
      expect(channel.pullEvents()).toEqual([]);
      expect(channel.version).toBe(2);
      expect(channel.updatedAt).toEqual(T0);
    });

    it('checks the warning rules on the settings that result from the change', () => {
      const warned = stored({
        sessionTimeoutSeconds: 900,
        sessionWarningLeadSeconds: 300,
        sessionWarningText: 'Still there?',
      });
      expectValidationError(() => warned.update({ sessionTimeoutSeconds: 300 }, T1), 'sessionWarningLeadSeconds');
      expectValidationError(() => warned.update({ sessionWarningText: null }, T1), 'sessionWarningLeadSeconds');
      expectValidationError(() => stored().update({ sessionWarningLeadSeconds: 60 }, T1), 'sessionWarningLeadSeconds');
      expect(warned.pullEvents()).toEqual([]);
      expect(warned.sessionTimeoutSeconds).toBe(900);

      // Dropping the warning and its text together, or shortening the lead with the timeout, is fine.
      expect(warned.update({ sessionTimeoutSeconds: 300, sessionWarningLeadSeconds: 60 }, T1)).toEqual([
        'sessionTimeoutSeconds',
        'sessionWarningLeadSeconds',
      ]);
      expect(warned.update({ sessionWarningLeadSeconds: null, sessionWarningText: null }, T2)).toEqual([
        'sessionWarningLeadSeconds',
        'sessionWarningText',
      ]);
      // Removing the channel timeout keeps the lead: the policy resolver drops it if the tenant default is shorter.
      const lead = stored({ sessionTimeoutSeconds: 900, sessionWarningLeadSeconds: 300, sessionWarningText: 'Hi' });
      expect(lead.update({ sessionTimeoutSeconds: null }, T1)).toEqual(['sessionTimeoutSeconds']);
    });

    it('validates every new value before changing anything', () => {
      const channel = stored();
      expectValidationError(() => channel.update({ name: 'New name', wahaSession: 'bad session' }, T1), 'wahaSession');
      expectValidationError(() => channel.update({ name: null as never }, T1), 'name');
      expectValidationError(() => channel.update({ allowGroups: null as never }, T1), 'allowGroups');
      expect(channel.name).toBe('Support');
      expect(channel.pullEvents()).toEqual([]);
    });

    it('steps the version once per save, however many changes come before it', () => {
      const channel = stored();
      channel.update({ name: 'A' }, T1);
      channel.rotateWebhookSecret('enc-webhook-secret-2' as EncryptedSecret, T1);
      channel.update({ name: 'B' }, T2);
      expect(channel.version).toBe(3);
      expect(channel.pullEvents()).toHaveLength(3);
      channel.markPersisted();
      expect(channel.expectedVersion).toBe(3);
      channel.update({ name: 'C' }, T2);
      expect(channel.version).toBe(4);
    });
  });

  describe('rotateWebhookSecret', () => {
    it('replaces the secret and records channel.updated naming webhookSecret only', () => {
      const channel = stored();
      const rotated = 'enc-webhook-secret-2' as EncryptedSecret;
      channel.rotateWebhookSecret(rotated, T1);
      expect(channel.encryptedWebhookSecret).toBe(rotated);
      expect(channel.version).toBe(3);
      const [event] = channel.pullEvents();
      expect(event!.type).toBe(ChannelEventTypes.updated);
      expect(event!.data).toMatchObject({ changedFields: ['webhookSecret'], changes: {}, updatedAt: T1.toISOString() });
      expect(JSON.stringify(event)).not.toMatch(/enc-/);
    });

    it('refuses an empty secret', () => {
      expectValidationError(() => stored().rotateWebhookSecret('' as EncryptedSecret, T1), 'webhookSecret');
    });
  });

  describe('recordWahaStatus', () => {
    const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

    it('stores a new status and records channel.updated with the status and its time', () => {
      const channel = stored();
      expect(channel.recordWahaStatus('WORKING', at(10), T1)).toBe('changed');
      expect(channel.wahaStatus).toBe('WORKING');
      expect(channel.wahaStatusAt).toEqual(at(10));
      expect(channel.updatedAt).toEqual(T1);
      const [event] = channel.pullEvents();
      expect(event!.data).toMatchObject({
        wahaStatus: 'WORKING',
        wahaStatusAt: at(10).toISOString(),
        changedFields: ['wahaStatus'],
        changes: { wahaStatus: 'WORKING', wahaStatusAt: at(10).toISOString() },
      });
    });

    it('only moves forward in time: older or equally old reports are ignored', () => {
      const channel = stored({ wahaStatus: 'WORKING', wahaStatusAt: at(100) });
      expect(channel.recordWahaStatus('STARTING', at(50), T1)).toBe('ignored');
      expect(channel.recordWahaStatus('FAILED', at(100), T1)).toBe('ignored');
      expect(channel.wahaStatus).toBe('WORKING');
      expect(channel.hasUnsavedChanges).toBe(false);
      expect(channel.pullEvents()).toEqual([]);

      expect(channel.recordWahaStatus('FAILED', at(101), T1)).toBe('changed');
      expect(channel.wahaStatus).toBe('FAILED');
    });

    it('moves only the report time, without an event, when the same status is reported later', () => {
      const channel = stored({ wahaStatus: 'WORKING', wahaStatusAt: at(100) });
      expect(channel.recordWahaStatus('WORKING', at(200), T1)).toBe('refreshed');
      expect(channel.wahaStatusAt).toEqual(at(200));
      expect(channel.hasUnsavedChanges).toBe(true);
      expect(channel.pullEvents()).toEqual([]);
      // A late report from between the two no longer overrides the newer one.
      expect(channel.recordWahaStatus('FAILED', at(150), T1)).toBe('ignored');
    });

    it('accepts statuses newer WAHA versions may add, but not malformed ones', () => {
      expect(stored().recordWahaStatus('PASSKEY_CONFIRMATION_REQUIRED', at(1), T1)).toBe('changed');
      expect(stored().recordWahaStatus('SOME_FUTURE_STATUS', at(1), T1)).toBe('changed');
      expectValidationError(() => stored().recordWahaStatus('working', at(1), T1), 'status');
      expectValidationError(() => stored().recordWahaStatus('', at(1), T1), 'status');
      expectValidationError(() => stored().recordWahaStatus('WORKING', new Date(Number.NaN), T1), 'at');
    });
  });
});
