import { ValidationError } from '@app/shared';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-catalogue';
import { type EncryptedSigningSecret } from './webhook-signature';
import { WebhookSubscription } from './webhook-subscription.aggregate';
import { WebhookSubscriptionInactiveError } from './webhook.errors';

const TENANT = '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30';
const CHANNEL = '3c9a1f0e-5b7d-4e2a-9c8b-1d2e3f4a5b6c';
const T0 = new Date('2025-11-26T12:00:00.000Z');
const T1 = new Date('2025-11-26T13:00:00.000Z');

const create = (overrides: Partial<Parameters<typeof WebhookSubscription.create>[0]> = {}) =>
  WebhookSubscription.create(
    {
      tenantId: TENANT,
      url: 'https://hooks.example.com/crm',
      eventTypes: ['session.*'],
      maxAttempts: 8,
      encryptedSecret: 'v1.x' as EncryptedSigningSecret,
      ...overrides,
    },
    WEBHOOK_EVENT_TYPES,
    T0,
  );

function fieldOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('WebhookSubscription', () => {
  it('starts active, healthy, version 1, and records no event', () => {
    const s = create({ description: '  CRM sync ', channelId: CHANNEL.toUpperCase() });
    expect(s.toProps()).toMatchObject({
      tenantId: TENANT,
      url: 'https://hooks.example.com/crm',
      description: 'CRM sync',
      eventTypes: ['session.*'],
      channelId: CHANNEL,
      active: true,
      maxAttempts: 8,
      consecutiveFailures: 0,
      disabledAt: null,
      deletedAt: null,
      version: 1,
    });
    expect(s.pullEvents()).toEqual([]);
  });

  it.each<[Partial<Parameters<typeof WebhookSubscription.create>[0]>, string]>([
    [{ url: 'ftp://x.example.com' }, 'url'],
    [{ url: 'https://user:pw@x.example.com' }, 'url'],
    [{ url: 'https://x.example.com/#frag' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ eventTypes: [] }, 'eventTypes'],
    [{ eventTypes: ['nope.nope'] }, 'eventTypes'],
    [{ maxAttempts: 0 }, 'maxAttempts'],
    [{ maxAttempts: 51 }, 'maxAttempts'],
    [{ maxAttempts: 2.5 }, 'maxAttempts'],
    [{ channelId: 'abc' }, 'channelId'],
    [{ description: 'x'.repeat(501) }, 'description'],
    [{ tenantId: 'nope' }, 'tenantId'],
  ])('refuses %p naming %s', (overrides, field) => {
    expect(fieldOf(() => create(overrides))).toBe(field);
  });

  it('changes only what differs, one version step per save', () => {
    const s = create();
    s.markPersisted();
    expect(
      s.update({ url: 'https://hooks.example.com/crm', eventTypes: ['session.*'] }, WEBHOOK_EVENT_TYPES, T1),
    ).toEqual([]);
    expect(s.hasUnsavedChanges).toBe(false);
    expect(
      s.update(
        { url: 'https://other.example.com/', eventTypes: ['*'], description: null, maxAttempts: 3 },
        WEBHOOK_EVENT_TYPES,
        T1,
      ),
    ).toEqual(['url', 'eventTypes', 'maxAttempts']);
    expect(s.version).toBe(2);
    expect(s.update({ channelId: CHANNEL }, WEBHOOK_EVENT_TYPES, T1)).toEqual(['channelId']);
    expect(s.version).toBe(2);
    expect(s.updatedAt).toEqual(T1);
  });

  it('counts failures, disables after N with subscription_disabled, and enable clears it all', () => {
    const s = create();
    for (let i = 1; i <= 2; i++)
      expect(s.recordFailedDelivery({ gone: false, reason: 'endpoint answered 500', disableAfter: 3 }, T1)).toEqual({
        disabled: false,
      });
    expect(s.consecutiveFailures).toBe(2);
    expect(s.pullEvents()).toEqual([]);
    expect(s.recordFailedDelivery({ gone: false, reason: 'endpoint answered 500', disableAfter: 3 }, T1)).toEqual({
      disabled: true,
    });
    expect(s.toProps()).toMatchObject({ active: false, disabledAt: T1, consecutiveFailures: 3 });
    expect(s.disabledReason).toContain('3 consecutive deliveries failed');
    const events = s.pullEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'webhook.subscription_disabled',
      aggregateType: 'webhook_subscription',
      aggregateId: s.id,
      tenantId: TENANT,
      data: { subscriptionId: s.id, consecutiveFailures: 3, reason: s.disabledReason },
    });
    // Disabled: nothing more is counted.
    expect(s.recordFailedDelivery({ gone: true, reason: 'x', disableAfter: 3 }, T1)).toEqual({ disabled: false });
    expect(s.consecutiveFailures).toBe(3);

    expect(s.enable(T1)).toBe(true);
    expect(s.toProps()).toMatchObject({ active: true, consecutiveFailures: 0, disabledAt: null, disabledReason: null });
    expect(s.enable(T1)).toBe(false);
  });

  it('disables at once when the endpoint is gone, and a success resets the count', () => {
    const s = create();
    s.recordFailedDelivery({ gone: false, reason: 'r', disableAfter: 5 }, T1);
    expect(s.recordSuccessfulDelivery(T1)).toBe(true);
    expect(s.consecutiveFailures).toBe(0);
    expect(s.recordSuccessfulDelivery(T1)).toBe(false);
    expect(s.recordFailedDelivery({ gone: true, reason: 'endpoint answered 410 Gone', disableAfter: 5 }, T1)).toEqual({
      disabled: true,
    });
    expect(s.disabledReason).toContain('410 Gone');
  });

  it('tracks a failing endpoint: marked by the first failed attempt, cleared by a success or enable; new deliveries are held while it fails', () => {
    const s = create();
    const at = (ms: number) => new Date(T1.getTime() + ms);
    expect(s.holdsNewDeliveries).toBe(false);
    expect(s.recordFailedAttempt(at(0))).toBe(true);
    expect(s.recordFailedAttempt(at(5_000))).toBe(false);
    expect(s.failingSince).toEqual(at(0));
    expect(s.holdsNewDeliveries).toBe(true);
    expect(s.recordSuccessfulDelivery(at(60_000))).toBe(true);
    expect(s.failingSince).toBeNull();
    expect(s.holdsNewDeliveries).toBe(false);
    expect(s.recordSuccessfulDelivery(at(61_000))).toBe(false);

    // A slow or refusing answer proves the endpoint up: the mark goes, the failure count stays.
    s.recordFailedDelivery({ gone: false, reason: 'x', disableAfter: 5 }, at(62_000));
    s.recordFailedAttempt(at(63_000));
    expect(s.recordEndpointAnswered(at(64_000))).toBe(true);
    expect(s.failingSince).toBeNull();
    expect(s.consecutiveFailures).toBe(1);
    expect(s.recordEndpointAnswered(at(65_000))).toBe(false);
    s.recordSuccessfulDelivery(at(66_000));

    s.recordFailedAttempt(at(70_000));
    expect(s.enable(at(80_000))).toBe(true);
    expect(s.failingSince).toBeNull();
    s.recordFailedAttempt(at(90_000));
    expect(s.update({ active: true }, WEBHOOK_EVENT_TYPES, at(95_000))).toEqual(['active']);
    expect(s.failingSince).toBeNull();
  });

  it('PATCH active: false pauses without a disabled mark; active: true re-enables', () => {
    const s = create();
    expect(s.update({ active: false }, WEBHOOK_EVENT_TYPES, T1)).toEqual(['active']);
    expect(s.toProps()).toMatchObject({ active: false, disabledAt: null });
    expect(s.isLive).toBe(false);
    expect(s.update({ active: true }, WEBHOOK_EVENT_TYPES, T1)).toEqual(['active']);
    expect(s.isLive).toBe(true);
    expect(s.update({ active: true }, WEBHOOK_EVENT_TYPES, T1)).toEqual([]);
  });

  it('records webhook.test only for a live subscription; deleted ones are not live', () => {
    const s = create();
    s.requestTest(undefined, T1);
    expect(s.pullEvents()[0]).toMatchObject({
      type: 'webhook.test',
      aggregateId: s.id,
      data: { subscriptionId: s.id, message: expect.any(String) },
    });
    s.requestTest('  hello ', T1);
    expect(s.pullEvents()[0]!.data).toEqual({ subscriptionId: s.id, message: 'hello' });
    expect(s.delete(T1)).toBe(true);
    expect(s.delete(T1)).toBe(false);
    expect(() => s.requestTest('x', T1)).toThrow(WebhookSubscriptionInactiveError);
  });
});
