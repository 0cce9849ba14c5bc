import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { newEventId } from '@app/shared';
import {
  CreateWebhookSubscriptionHandler,
  EnableWebhookSubscriptionHandler,
  UpdateWebhookSubscriptionHandler,
  WebhookDeliveryNotFoundError,
  WebhookDeliveryOutcomeService,
  WebhookFanOutService,
  WebhookModule,
} from '@app/webhook';
import { RecordingWebhookDeliveryStarterModule } from '@app/webhook/testing';
import { createTenant, createTestContext } from '../../../../../test/support/nest';
import { ownerView } from '../../../../../test/support/database';

const DISABLE_AFTER = 3;

interface OutboxRow {
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
}

describe('WebhookDeliveryOutcomeService (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let outcomes: WebhookDeliveryOutcomeService;
  let fanOut: WebhookFanOutService;
  let create: CreateWebhookSubscriptionHandler;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([RecordingWebhookDeliveryStarterModule, WebhookModule], {
      WEBHOOK_DISABLE_AFTER_FAILURES: String(DISABLE_AFTER),
    }));
    db = await ownerView(moduleRef.get(DataSource));
    outcomes = moduleRef.get(WebhookDeliveryOutcomeService);
    fanOut = moduleRef.get(WebhookFanOutService);
    create = moduleRef.get(CreateWebhookSubscriptionHandler);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const setup = async (name: string) => {
    const tenantId = (await createTenant(moduleRef, name)).tenantId;
    const subscription = await create.execute({
      tenantId,
      url: 'https://93.184.216.34/hooks',
      eventTypes: ['contact.*'],
    });
    const deliver = async (type = 'contact.created') => {
      const eventId = newEventId();
      const [planned] = await fanOut.plan({ id: eventId, type, tenantId, data: { subscriptionId: newEventId() } });
      return { eventId, deliveryId: planned!.deliveryId };
    };
    return { tenantId, subscription, deliver };
  };
  const subscriptionRow = async (id: string) =>
    (
      await db.query(
        `SELECT active, consecutive_failures, disabled_at, disabled_reason, version FROM webhook_subscriptions WHERE id = $1`,
        [id],
      )
    )[0];
  const deliveryRow = async (id: string) =>
    (
      await db.query(
        `SELECT status, last_error, delivered_at, last_status_code FROM webhook_deliveries WHERE id = $1`,
        [id],
      )
    )[0];
  const outboxFor = (subscriptionId: string): Promise<OutboxRow[]> =>
    db.query(
      `SELECT type, aggregate_type, aggregate_id, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY created_at, type`,
      [subscriptionId],
    );

  it(`dead-letters, counts consecutive failures, and after ${DISABLE_AFTER} disables the subscription with both events`, async () => {
    const { tenantId, subscription, deliver } = await setup('Dead letters');
    const deliveries = [await deliver(), await deliver(), await deliver()];
    await db.query(`UPDATE webhook_deliveries SET attempts = 8, status = 'failed' WHERE id = ANY($1::uuid[])`, [
      deliveries.map((d) => d.deliveryId),
    ]);

    for (let i = 0; i < DISABLE_AFTER - 1; i++) {
      expect(
        await outcomes.deadLettered({
          tenantId,
          deliveryId: deliveries[i]!.deliveryId,
          reason: 'endpoint answered 503',
          gone: false,
        }),
      ).toEqual({ attempts: 8 });
    }
    expect(await subscriptionRow(subscription.id)).toMatchObject({
      active: true,
      consecutive_failures: 2,
      disabled_at: null,
    });
    expect(await deliveryRow(deliveries[0]!.deliveryId)).toMatchObject({
      status: 'dead',
      last_error: 'endpoint answered 503',
    });
    expect((await outboxFor(subscription.id)).map((e) => e.type)).toEqual([
      'webhook.delivery_failed',
      'webhook.delivery_failed',
    ]);

    await outcomes.deadLettered({
      tenantId,
      deliveryId: deliveries[2]!.deliveryId,
      reason: 'endpoint answered 503',
      gone: false,
    });
    const row = await subscriptionRow(subscription.id);
    expect(row).toMatchObject({ active: false, consecutive_failures: 3, disabled_at: expect.any(Date) });
    expect(row.disabled_reason).toBe('3 consecutive deliveries failed; last: endpoint answered 503');

    const events = await outboxFor(subscription.id);
    expect(events.map((e) => e.type).sort()).toEqual([
      'webhook.delivery_failed',
      'webhook.delivery_failed',
      'webhook.delivery_failed',
      'webhook.subscription_disabled',
    ]);
    for (const e of events) expect(e.aggregate_type).toBe('webhook_subscription');
    expect(events.find((e) => e.type === 'webhook.subscription_disabled')!.payload).toEqual({
      subscriptionId: subscription.id,
      reason: row.disabled_reason,
      consecutiveFailures: 3,
    });
    expect(events.filter((e) => e.type === 'webhook.delivery_failed').map((e) => e.payload)).toContainEqual({
      subscriptionId: subscription.id,
      deliveryId: deliveries[2]!.deliveryId,
      eventId: deliveries[2]!.eventId,
      eventType: 'contact.created',
      attempts: 8,
      reason: 'endpoint answered 503',
    });
  });

  it('is idempotent under activity retries: a second dead letter counts nothing and raises nothing', async () => {
    const { tenantId, subscription, deliver } = await setup('Idempotent dead letter');
    const { deliveryId } = await deliver();
    await outcomes.deadLettered({ tenantId, deliveryId, reason: 'endpoint answered 500', gone: false });
    await outcomes.deadLettered({ tenantId, deliveryId, reason: 'endpoint answered 500', gone: false });
    await Promise.all([1, 2, 3].map(() => outcomes.deadLettered({ tenantId, deliveryId, reason: 'x', gone: true })));
    expect(await subscriptionRow(subscription.id)).toMatchObject({ active: true, consecutive_failures: 1 });
    expect(await outboxFor(subscription.id)).toHaveLength(1);
  });

  it('disables at once when the endpoint is gone', async () => {
    const { tenantId, subscription, deliver } = await setup('Gone');
    const { deliveryId } = await deliver();
    await outcomes.deadLettered({ tenantId, deliveryId, reason: 'endpoint answered 410 Gone', gone: true });
    const row = await subscriptionRow(subscription.id);
    expect(row).toMatchObject({ active: false, consecutive_failures: 1 });
    expect(row.disabled_reason).toContain('410 Gone');
    expect((await outboxFor(subscription.id)).map((e) => e.type).sort()).toEqual([
      'webhook.delivery_failed',
      'webhook.subscription_disabled',
    ]);
  });

  it('a success resets the failure count and marks the delivery delivered (repeatable)', async () => {
    const { tenantId, subscription, deliver } = await setup('Success');
    const failed = await deliver();
    const ok = await deliver();
    await outcomes.deadLettered({
      tenantId,
      deliveryId: failed.deliveryId,
      reason: 'endpoint answered 500',
      gone: false,
    });
    expect((await subscriptionRow(subscription.id)).consecutive_failures).toBe(1);

    await outcomes.delivered({ tenantId, deliveryId: ok.deliveryId, statusCode: 202 });
    await outcomes.delivered({ tenantId, deliveryId: ok.deliveryId, statusCode: 202 });
    expect(await subscriptionRow(subscription.id)).toMatchObject({ consecutive_failures: 0, active: true });
    expect(await deliveryRow(ok.deliveryId)).toMatchObject({
      status: 'delivered',
      delivered_at: expect.any(Date),
      last_status_code: 202,
    });
    // A delivered delivery is never dead-lettered afterwards.
    await outcomes.deadLettered({ tenantId, deliveryId: ok.deliveryId, reason: 'late', gone: false });
    expect((await deliveryRow(ok.deliveryId)).status).toBe('delivered');
    expect((await subscriptionRow(subscription.id)).consecutive_failures).toBe(0);
  });

  it('counts nothing and raises nothing for a paused subscription; enable clears everything', async () => {
    const { tenantId, subscription, deliver } = await setup('Paused');
    const first = await deliver();
    const second = await deliver();
    await outcomes.deadLettered({ tenantId, deliveryId: first.deliveryId, reason: 'r', gone: false });
    await moduleRef.get(UpdateWebhookSubscriptionHandler).execute({ tenantId, id: subscription.id, active: false });
    await outcomes.deadLettered({ tenantId, deliveryId: second.deliveryId, reason: 'r', gone: true });
    expect(await deliveryRow(second.deliveryId)).toMatchObject({ status: 'dead' });
    expect(await subscriptionRow(subscription.id)).toMatchObject({
      active: false,
      consecutive_failures: 1,
      disabled_at: null,
    });
    expect(await outboxFor(subscription.id)).toHaveLength(1);

    const enabled = await moduleRef.get(EnableWebhookSubscriptionHandler).execute({ tenantId, id: subscription.id });
    expect(enabled).toMatchObject({ active: true, consecutiveFailures: 0, disabledAt: null, disabledReason: null });
  });

  it('raises no delivery_failed for a failed delivery of a failure notice (no ping-pong between endpoints)', async () => {
    const { tenantId, subscription } = await setup('Ping-pong');
    await db.query(`UPDATE webhook_subscriptions SET event_types = ARRAY['*'] WHERE id = $1`, [subscription.id]);
    const [planned] = await fanOut.plan({
      id: newEventId(),
      type: 'webhook.delivery_failed',
      tenantId,
      data: { subscriptionId: newEventId() },
    });
    await outcomes.deadLettered({
      tenantId,
      deliveryId: planned!.deliveryId,
      reason: 'endpoint answered 500',
      gone: false,
    });
    expect((await subscriptionRow(subscription.id)).consecutive_failures).toBe(1);
    expect(await outboxFor(subscription.id)).toEqual([]);
  });

  it("refuses another tenant's delivery", async () => {
    const { deliver } = await setup('Owner');
    const { deliveryId } = await deliver();
    const other = (await createTenant(moduleRef, 'Intruder')).tenantId;
    await expect(outcomes.deadLettered({ tenantId: other, deliveryId, reason: 'r', gone: false })).rejects.toThrow(
      WebhookDeliveryNotFoundError,
    );
    await expect(outcomes.delivered({ tenantId: other, deliveryId, statusCode: 200 })).rejects.toThrow(
      WebhookDeliveryNotFoundError,
    );
    expect((await deliveryRow(deliveryId)).status).toBe('pending');
  });
});
