import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ValidationError, newEventId } from '@app/shared';
import {
  CreateWebhookSubscriptionHandler,
  DeleteWebhookSubscriptionHandler,
  EnableWebhookSubscriptionHandler,
  UpdateWebhookSubscriptionHandler,
  WEBHOOK_RUN_SILENCE_MS,
  WebhookFanOutService,
  WebhookHeldDeliveryReleaseService,
  WebhookModule,
} from '@app/webhook';
import { RecordingWebhookDeliveryStarter, RecordingWebhookDeliveryStarterModule } from '@app/webhook/testing';
import { createTenant, createTestContext } from '../../../../../test/support/nest';
import { ownerView } from '../../../../../test/support/database';

describe('WebhookHeldDeliveryReleaseService (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let release: WebhookHeldDeliveryReleaseService;
  let fanOut: WebhookFanOutService;
  let starter: RecordingWebhookDeliveryStarter;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([RecordingWebhookDeliveryStarterModule, WebhookModule]));
    db = await ownerView(moduleRef.get(DataSource));
    release = moduleRef.get(WebhookHeldDeliveryReleaseService);
    fanOut = moduleRef.get(WebhookFanOutService);
    starter = moduleRef.get(RecordingWebhookDeliveryStarter);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  beforeEach(async () => {
    starter.clear();
    // Each test sees only its own held rows: the release looks across tenants.
    await db.query(`DELETE FROM webhook_deliveries WHERE status = 'held'`);
  });

  /** A subscription whose endpoint is failing, with `count` held deliveries (oldest first). */
  const failingWithHeld = async (name: string, count: number) => {
    const tenantId = (await createTenant(moduleRef, name)).tenantId;
    const subscription = await moduleRef
      .get(CreateWebhookSubscriptionHandler)
      .execute({ tenantId, url: 'https://93.184.216.34/hooks', eventTypes: ['contact.*'], maxAttempts: 4 });
    await db.query(`UPDATE webhook_subscriptions SET failing_since = now() WHERE id = $1`, [subscription.id]);
    for (let i = 0; i < count; i += 1) {
      expect(await fanOut.plan({ id: newEventId(), type: 'contact.created', tenantId, data: {} })).toEqual([]);
    }
    const held: { id: string; event_id: string }[] = await db.query(
      `SELECT id, event_id FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'held' ORDER BY created_at, id`,
      [subscription.id],
    );
    expect(held).toHaveLength(count);
    return { tenantId, subscriptionId: subscription.id, held };
  };
  const recovered = (subscriptionId: string) =>
    db.query(`UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = $1`, [subscriptionId]);
  const statuses = async (subscriptionId: string) =>
    (
      (await db.query(`SELECT status FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY created_at, id`, [
        subscriptionId,
      ])) as { status: string }[]
    ).map((r) => r.status);
  const startedIds = () => starter.starts.map((s) => s.input.deliveryId);

  it('starts the held deliveries of a recovered endpoint, oldest first, at most a batch per run', async () => {
    const { tenantId, subscriptionId, held } = await failingWithHeld('Recovered', 5);
    expect(await release.release({ batchSize: 10 })).toEqual({ subscriptions: 1, released: 0, probes: 1 });
    starter.clear();
    await db.query(`UPDATE webhook_deliveries SET status = 'dead' WHERE id = $1`, [held[0]!.id]);
    await recovered(subscriptionId);

    expect(await release.release({ batchSize: 3 })).toEqual({ subscriptions: 1, released: 3, probes: 0 });
    expect(startedIds()).toEqual(held.slice(1, 4).map((h) => h.id));
    expect(starter.starts[0]).toEqual({
      input: { tenantId, subscriptionId, eventId: held[1]!.event_id, deliveryId: held[1]!.id, maxAttempts: 4 },
      options: { replay: false },
    });
    expect(await statuses(subscriptionId)).toEqual(['dead', 'pending', 'pending', 'pending', 'held']);

    expect(await release.release({ batchSize: 3 })).toEqual({ subscriptions: 1, released: 1, probes: 0 });
    expect(startedIds()).toEqual(held.slice(1).map((h) => h.id));
    expect(await release.release({ batchSize: 3 })).toEqual({ subscriptions: 0, released: 0, probes: 0 });
    expect(await statuses(subscriptionId)).toEqual(['dead', 'pending', 'pending', 'pending', 'pending']);
  });

  it('probes a failing endpoint with one delivery at a time: the next only once no run is under way', async () => {
    const { subscriptionId, held } = await failingWithHeld('Probing', 3);
    const result = await release.release({ batchSize: 100 });
    expect(result).toEqual({ subscriptions: 1, released: 0, probes: 1 });
    expect(startedIds()).toEqual([held[0]!.id]);
    expect(await statuses(subscriptionId)).toEqual(['pending', 'held', 'held']);

    // The probe is retrying (failed, its run goes on): no second probe.
    await db.query(`UPDATE webhook_deliveries SET status = 'failed', attempts = 2, updated_at = now() WHERE id = $1`, [
      held[0]!.id,
    ]);
    expect(await release.release({ batchSize: 100 })).toEqual({ subscriptions: 1, released: 0, probes: 0 });
    // Waiting on a long Retry-After counts as under way too, however long ago it last changed.
    const silent = `now() - make_interval(secs => ${(WEBHOOK_RUN_SILENCE_MS + 60_000) / 1000})`;
    await db.query(
      `UPDATE webhook_deliveries SET updated_at = ${silent}, next_attempt_at = now() + interval '1 hour' WHERE id = $1`,
      [held[0]!.id],
    );
    expect(await release.release({ batchSize: 100 })).toEqual({ subscriptions: 1, released: 0, probes: 0 });

    // Dead-lettered: the next held delivery probes.
    await db.query(`UPDATE webhook_deliveries SET status = 'dead', next_attempt_at = NULL WHERE id = $1`, [
      held[0]!.id,
    ]);
    expect(await release.release({ batchSize: 100 })).toEqual({ subscriptions: 1, released: 0, probes: 1 });
    expect(startedIds()).toEqual([held[0]!.id, held[1]!.id]);

    // A pending delivery silent for longer than any retry interval has lost its run: it does not block probing.
    await db.query(`UPDATE webhook_deliveries SET updated_at = ${silent} WHERE id = $1`, [held[1]!.id]);
    expect(await release.release({ batchSize: 100 })).toEqual({ subscriptions: 1, released: 0, probes: 1 });
    expect(startedIds()).toEqual(held.map((h) => h.id));
    expect(await statuses(subscriptionId)).toEqual(['dead', 'pending', 'pending']);
  });

  it('keeps the held deliveries of a paused, disabled or deleted subscription; enable releases them', async () => {
    const paused = await failingWithHeld('Paused', 2);
    const disabled = await failingWithHeld('Disabled', 1);
    const deleted = await failingWithHeld('Deleted', 1);
    await moduleRef
      .get(UpdateWebhookSubscriptionHandler)
      .execute({ tenantId: paused.tenantId, id: paused.subscriptionId, active: false });
    await db.query(
      `UPDATE webhook_subscriptions SET active = false, disabled_at = now(), disabled_reason = 'test' WHERE id = $1`,
      [disabled.subscriptionId],
    );
    await moduleRef
      .get(DeleteWebhookSubscriptionHandler)
      .execute({ tenantId: deleted.tenantId, id: deleted.subscriptionId });

    expect(await release.release({ batchSize: 100 })).toEqual({ subscriptions: 0, released: 0, probes: 0 });
    expect(starter.starts).toEqual([]);

    // enable clears the failing mark with the disabled one: everything held goes out.
    await moduleRef
      .get(EnableWebhookSubscriptionHandler)
      .execute({ tenantId: disabled.tenantId, id: disabled.subscriptionId });
    expect(await release.release({ batchSize: 100 })).toEqual({ subscriptions: 1, released: 1, probes: 0 });
    expect(startedIds()).toEqual(disabled.held.map((h) => h.id));
    expect(await statuses(paused.subscriptionId)).toEqual(['held', 'held']);
  });

  it('leaves a page held when a start fails, and skips rows another transaction holds', async () => {
    const { subscriptionId, held } = await failingWithHeld('Unlucky', 3);
    await recovered(subscriptionId);
    starter.failNext();
    await expect(release.release({ batchSize: 100 })).rejects.toThrow('delivery starter unavailable');
    expect(await statuses(subscriptionId)).toEqual(['held', 'held', 'held']);
    // The page's other starts went through: the next release starts those runs again, a no-op for the
    // real starter (same workflow id), so a rolled-back page never loses or doubles a delivery.
    expect(starter.starts).toHaveLength(2);
    starter.clear();

    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT id FROM webhook_deliveries WHERE id = $1 FOR UPDATE`, [held[0]!.id]);
      expect(await release.release({ batchSize: 100 })).toEqual({ subscriptions: 1, released: 2, probes: 0 });
      expect(startedIds()).toEqual([held[1]!.id, held[2]!.id]);
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    expect(await release.release({ batchSize: 100 })).toEqual({ subscriptions: 1, released: 1, probes: 0 });
    expect(await statuses(subscriptionId)).toEqual(['pending', 'pending', 'pending']);
  });

  it('refuses a batch size out of range, naming it', async () => {
    for (const batchSize of [0, 1.5, 10_001]) {
      await expect(release.release({ batchSize })).rejects.toMatchObject({
        constructor: ValidationError,
        field: 'batchSize',
      });
    }
  });
});
