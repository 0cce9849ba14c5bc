import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { CreateChannelHandler } from '@app/channel';
import { ValidationError, newEventId } from '@app/shared';
import {
  CreateWebhookSubscriptionHandler,
  DeleteWebhookSubscriptionHandler,
  UpdateWebhookSubscriptionHandler,
  type WebhookFanOutEvent,
  WebhookFanOutService,
  WebhookModule,
} from '@app/webhook';
import { RecordingWebhookDeliveryStarterModule } from '@app/webhook/testing';
import { createTenant, createTestContext } from '../../../../../test/support/nest';
import { ownerView } from '../../../../../test/support/database';

describe('WebhookFanOutService (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let fanOut: WebhookFanOutService;
  let create: CreateWebhookSubscriptionHandler;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([RecordingWebhookDeliveryStarterModule, WebhookModule]));
    db = await ownerView(moduleRef.get(DataSource));
    fanOut = moduleRef.get(WebhookFanOutService);
    create = moduleRef.get(CreateWebhookSubscriptionHandler);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  // Public IP literals: the URL guard accepts them without DNS; nothing is sent in this suite.
  let counter = 0;
  const subscribe = (tenantId: string, eventTypes: string[], extra: { channelId?: string } = {}) => {
    counter += 1;
    return create.execute({ tenantId, url: `https://93.184.216.34/hooks/${counter}`, eventTypes, ...extra });
  };
  const event = (tenantId: string, type: string, data: Record<string, unknown> = {}): WebhookFanOutEvent => ({
    id: newEventId(),
    type,
    tenantId,
    data,
  });
  const targets = async (e: WebhookFanOutEvent) => (await fanOut.plan(e)).map((p) => p.subscriptionId).sort();
  const sorted = (...ids: string[]) => [...ids].sort();

  it("plans deliveries for the event's tenant only, by filter: exact, *, prefix", async () => {
    const tenantA = (await createTenant(moduleRef, 'Fan-out A')).tenantId;
    const tenantB = (await createTenant(moduleRef, 'Fan-out B')).tenantId;
    const all = await subscribe(tenantA, ['*']);
    const sessions = await subscribe(tenantA, ['session.*']);
    const exact = await subscribe(tenantA, ['contact.created', 'message.created']);
    const otherTenant = await subscribe(tenantB, ['*']);

    expect(await targets(event(tenantA, 'session.started'))).toEqual(sorted(all.id, sessions.id));
    expect(await targets(event(tenantA, 'contact.created'))).toEqual(sorted(all.id, exact.id));
    expect(await targets(event(tenantA, 'contact.updated'))).toEqual([all.id]);
    expect(await targets(event(tenantB, 'session.started'))).toEqual([otherTenant.id]);
    expect(await targets(event((await createTenant(moduleRef, 'Empty')).tenantId, 'session.started'))).toEqual([]);

    const planned = await fanOut.plan(event(tenantA, 'message.created'));
    expect(planned).toEqual(
      expect.arrayContaining([
        { subscriptionId: all.id, deliveryId: expect.any(String), maxAttempts: 8, attempts: 0, start: 'inline' },
        { subscriptionId: exact.id, deliveryId: expect.any(String), maxAttempts: 8, attempts: 0, start: 'inline' },
      ]),
    );
    const rows = await db.query(
      `SELECT tenant_id, subscription_id, event_type, status, attempts FROM webhook_deliveries WHERE id = ANY($1::uuid[])`,
      [planned.map((p) => p.deliveryId)],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows)
      expect(row).toMatchObject({ tenant_id: tenantA, event_type: 'message.created', status: 'pending', attempts: 0 });
  });

  it('holds new deliveries to a failing endpoint (stored held, no run), never webhook.test; a re-published held event stays held', async () => {
    const tenant = (await createTenant(moduleRef, 'Held')).tenantId;
    const healthy = await subscribe(tenant, ['contact.*']);
    const failing = await subscribe(tenant, ['contact.*']);
    await db.query(`UPDATE webhook_subscriptions SET failing_since = now() - interval '30 seconds' WHERE id = $1`, [
      failing.id,
    ]);
    const statusOf = async (subscriptionId: string, eventId: string) =>
      (
        await db.query(`SELECT status FROM webhook_deliveries WHERE subscription_id = $1 AND event_id = $2`, [
          subscriptionId,
          eventId,
        ])
      )[0]?.status;

    const created = event(tenant, 'contact.created');
    expect(await fanOut.plan(created)).toEqual([
      { subscriptionId: healthy.id, deliveryId: expect.any(String), maxAttempts: 8, attempts: 0, start: 'inline' },
    ]);
    expect(await statusOf(healthy.id, created.id)).toBe('pending');
    expect(await statusOf(failing.id, created.id)).toBe('held');

    // The outbox is at-least-once: publishing the event again neither starts the held row nor adds one.
    expect((await fanOut.plan(created)).map((p) => p.subscriptionId)).toEqual([healthy.id]);
    expect(
      await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = $1`, [created.id]),
    ).toEqual([{ n: 2 }]);

    // An operator's test event is a probe of its own: never held, but sent by a run, not inline.
    const test = event(tenant, 'webhook.test', { subscriptionId: failing.id, message: 'ping' });
    expect((await fanOut.plan(test)).map((p) => [p.subscriptionId, p.start])).toEqual([[failing.id, 'run']]);
    expect(await statusOf(failing.id, test.id)).toBe('pending');

    // Healthy again: new events go out at once (the held one waits for the release).
    await db.query(`UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = $1`, [failing.id]);
    expect((await fanOut.plan(event(tenant, 'contact.updated'))).map((p) => p.subscriptionId).sort()).toEqual(
      sorted(healthy.id, failing.id),
    );
    expect((await fanOut.plan(created)).map((p) => p.subscriptionId)).toEqual([healthy.id]);
    expect(await statusOf(failing.id, created.id)).toBe('held');
  });

  it('applies the channel filter on data.channelId', async () => {
    const tenant = (await createTenant(moduleRef, 'Channels')).tenantId;
    const channelA = (
      await moduleRef
        .get(CreateChannelHandler)
        .execute({ tenantId: tenant, name: 'A', wahaBaseUrl: 'http://waha:3000' })
    ).id;
    const channelB = (
      await moduleRef
        .get(CreateChannelHandler)
        .execute({ tenantId: tenant, name: 'B', wahaBaseUrl: 'http://waha:3000' })
    ).id;
    const onlyA = await subscribe(tenant, ['message.*'], { channelId: channelA });
    const any = await subscribe(tenant, ['message.*']);

    expect(await targets(event(tenant, 'message.created', { channelId: channelA }))).toEqual(sorted(onlyA.id, any.id));
    expect(await targets(event(tenant, 'message.created', { channelId: channelB }))).toEqual([any.id]);
    expect(await targets(event(tenant, 'message.created', {}))).toEqual([any.id]);
  });

  it('routes webhook.test only to its subscription, whatever the filters', async () => {
    const tenant = (await createTenant(moduleRef, 'Test events')).tenantId;
    const target = await subscribe(tenant, ['contact.created']);
    await subscribe(tenant, ['*']);
    await subscribe(tenant, ['webhook.*']);
    expect(await targets(event(tenant, 'webhook.test', { subscriptionId: target.id, message: 'hi' }))).toEqual([
      target.id,
    ]);
    // A subscription of another tenant named in the data gets nothing.
    const foreign = await subscribe((await createTenant(moduleRef, 'Foreign')).tenantId, ['*']);
    expect(await targets(event(tenant, 'webhook.test', { subscriptionId: foreign.id }))).toEqual([]);
  });

  it('never routes delivery_failed or subscription_disabled to the subscription they are about', async () => {
    const tenant = (await createTenant(moduleRef, 'Failures')).tenantId;
    const failing = await subscribe(tenant, ['*']);
    const watcher = await subscribe(tenant, ['webhook.*']);
    expect(await targets(event(tenant, 'webhook.delivery_failed', { subscriptionId: failing.id }))).toEqual([
      watcher.id,
    ]);
    expect(await targets(event(tenant, 'webhook.subscription_disabled', { subscriptionId: failing.id }))).toEqual([
      watcher.id,
    ]);
    expect(await targets(event(tenant, 'webhook.delivery_failed', { subscriptionId: watcher.id }))).toEqual([
      failing.id,
    ]);
  });

  it('skips paused and deleted subscriptions', async () => {
    const tenant = (await createTenant(moduleRef, 'Paused')).tenantId;
    const live = await subscribe(tenant, ['*']);
    const paused = await subscribe(tenant, ['*']);
    const deleted = await subscribe(tenant, ['*']);
    await moduleRef.get(UpdateWebhookSubscriptionHandler).execute({ tenantId: tenant, id: paused.id, active: false });
    await moduleRef.get(DeleteWebhookSubscriptionHandler).execute({ tenantId: tenant, id: deleted.id });
    expect(await targets(event(tenant, 'contact.created'))).toEqual([live.id]);
  });

  it('is idempotent: planning the same event twice (or concurrently) answers the same delivery ids, one row each', async () => {
    const tenant = (await createTenant(moduleRef, 'Idempotent')).tenantId;
    const a = await subscribe(tenant, ['*']);
    const b = await subscribe(tenant, ['contact.*']);
    const e = event(tenant, 'contact.created');
    const first = await fanOut.plan(e);
    expect(first.map((p) => p.start)).toEqual(['inline', 'inline']);
    // A repeat finds the rows: the same ids, now for a run (the first plan's attempts may have died unrecorded).
    const repeated = first.map((p) => ({ ...p, start: 'run' }));
    const second = await fanOut.plan(e);
    expect(second).toEqual(repeated);
    const [third, fourth] = await Promise.all([fanOut.plan(e), fanOut.plan(e)]);
    expect(third).toEqual(repeated);
    expect(fourth).toEqual(repeated);
    const rows = await db.query(`SELECT subscription_id FROM webhook_deliveries WHERE event_id = $1`, [e.id]);
    expect(rows.map((r: { subscription_id: string }) => r.subscription_id).sort()).toEqual(sorted(a.id, b.id));

    // A subscription added later gets its row on a re-plan; the others keep theirs.
    const c = await subscribe(tenant, ['*']);
    const again = await fanOut.plan(e);
    expect(again.filter((p) => p.subscriptionId !== c.id)).toEqual(repeated);
    expect(again.find((p) => p.subscriptionId === c.id)).toMatchObject({ attempts: 0, start: 'inline' });
  });

  it('a repeat answers a pending or failed row with its recorded attempts, and no longer a delivered or dead one', async () => {
    const tenant = (await createTenant(moduleRef, 'Settled')).tenantId;
    const subs = [
      await subscribe(tenant, ['*']),
      await subscribe(tenant, ['*']),
      await subscribe(tenant, ['*']),
      await subscribe(tenant, ['*']),
    ];
    const e = event(tenant, 'contact.created');
    const first = await fanOut.plan(e);
    const idOf = (subscriptionId: string) => first.find((p) => p.subscriptionId === subscriptionId)!.deliveryId;
    const [pending, failed, delivered, dead] = subs;
    await db.query(`UPDATE webhook_deliveries SET status = 'failed', attempts = 1 WHERE id = $1`, [idOf(failed!.id)]);
    await db.query(
      `UPDATE webhook_deliveries SET status = 'delivered', attempts = 1, delivered_at = now() WHERE id = $1`,
      [idOf(delivered!.id)],
    );
    await db.query(`UPDATE webhook_deliveries SET status = 'dead', attempts = 2 WHERE id = $1`, [idOf(dead!.id)]);

    const byId = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect((await fanOut.plan(e)).map((p) => [p.subscriptionId, p.attempts, p.start]).sort(byId)).toEqual(
      [
        [pending!.id, 0, 'run'],
        [failed!.id, 1, 'run'],
      ].sort(byId),
    );
  });

  it('refuses malformed events', async () => {
    await expect(fanOut.plan({ id: 'x', type: 'contact.created', tenantId: newEventId(), data: {} })).rejects.toThrow(
      ValidationError,
    );
    await expect(
      fanOut.plan({ id: newEventId(), type: 'contact.created', tenantId: 'nope', data: {} }),
    ).rejects.toThrow(ValidationError);
    expect(
      await fanOut.plan({ id: newEventId(), type: 'contact.created', tenantId: newEventId(), data: null }),
    ).toEqual([]);
  });
});
