import { AsyncResource } from 'node:async_hooks';
import { type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { CreateChannelHandler } from '@app/channel';
import { NotFoundError, SecretCipher, ValidationError, newEventId } from '@app/shared';
import {
  CreateWebhookSubscriptionHandler,
  DeleteWebhookSubscriptionHandler,
  EnableWebhookSubscriptionHandler,
  GetWebhookSubscriptionHandler,
  ListWebhookDeliveriesHandler,
  ListWebhookSubscriptionsHandler,
  ReplayFailedWebhookDeliveriesHandler,
  ReplayWebhookDeliveryHandler,
  RotateWebhookSubscriptionSecretHandler,
  SendTestWebhookHandler,
  UpdateWebhookSubscriptionHandler,
  WebhookDeliveryOutcomeService,
  WebhookDispatchService,
  WebhookEventExpiredError,
  WebhookFanOutService,
  WebhookModule,
  WebhookSubscriptionInactiveError,
  WebhookSubscriptionNotFoundError,
} from '@app/webhook';
import {
  RecordingWebhookDeliveryStarter,
  RecordingWebhookDeliveryStarterModule,
  startTestWebhookReceiver,
  type TestWebhookReceiver,
} from '@app/webhook/testing';
import { createTenant, createTestContext } from '../../../../test/support/nest';
import { ownerView } from '../../../../test/support/database';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('Webhook subscription use cases (real PostgreSQL)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let create: CreateWebhookSubscriptionHandler;
  let starter: RecordingWebhookDeliveryStarter;
  let receiver: TestWebhookReceiver;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([RecordingWebhookDeliveryStarterModule, WebhookModule], {
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_DEFAULT_MAX_ATTEMPTS: '6',
    }));
    db = await ownerView(moduleRef.get(DataSource));
    create = moduleRef.get(CreateWebhookSubscriptionHandler);
    starter = moduleRef.get(RecordingWebhookDeliveryStarter);
    tenantA = (await createTenant(moduleRef, 'Hooks A')).tenantId;
    tenantB = (await createTenant(moduleRef, 'Hooks B')).tenantId;
    receiver = await startTestWebhookReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await moduleRef?.close();
  });

  beforeEach(() => starter.clear());

  describe('create, get, list', () => {
    it('creates an active subscription with a whsec_ secret shown once and stored encrypted', async () => {
      const created = await create.execute({
        tenantId: tenantA,
        url: 'https://93.184.216.34/crm?key=1',
        eventTypes: ['session.*', 'contact.created'],
        description: ' CRM ',
      });
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        url: 'https://93.184.216.34/crm?key=1',
        description: 'CRM',
        eventTypes: ['session.*', 'contact.created'],
        channelId: null,
        active: true,
        maxAttempts: 6,
        consecutiveFailures: 0,
        failingSince: null,
        disabledAt: null,
        disabledReason: null,
        createdAt: expect.any(String),
        updatedAt: created.createdAt,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      });
      expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);

      const fetched = await moduleRef.get(GetWebhookSubscriptionHandler).execute({ tenantId: tenantA, id: created.id });
      const { secret, ...view } = created;
      expect(fetched).toEqual(view);
      expect(JSON.stringify(fetched)).not.toContain(secret);

      const row = (await db.query(`SELECT * FROM webhook_subscriptions WHERE id = $1`, [created.id]))[0];
      expect(row.secret_enc).toMatch(/^v1\./);
      expect(JSON.stringify(row)).not.toContain(secret);
      expect(JSON.stringify(row)).not.toContain(secret.slice(6));
      expect(moduleRef.get(SecretCipher).decrypt(row.secret_enc)).toBe(secret);
      expect(row).toMatchObject({
        tenant_id: tenantA,
        event_types: ['session.*', 'contact.created'],
        max_attempts: 6,
        version: 1,
      });
    });

    it('refuses invalid input with a ValidationError naming the field, and stores nothing', async () => {
      const before = (await db.query(`SELECT count(*)::int AS n FROM webhook_subscriptions`))[0].n;
      const cases: [Partial<Parameters<CreateWebhookSubscriptionHandler['execute']>[0]>, string, string][] = [
        [{ url: 'http://10.0.0.1/hooks' }, 'url', 'a private address (10.0.0.0/8)'],
        [{ url: 'http://169.254.169.254/latest' }, 'url', 'link-local'],
        [{ url: 'http://[::1]:8080/' }, 'url', 'loopback'],
        [{ url: 'http://127.0.0.2/' }, 'url', 'loopback'], // 127.0.0.1/32 alone is allow-listed here
        [{ url: 'ftp://93.184.216.34/' }, 'url', 'http(s)'],
        [{ eventTypes: ['session.begun'] }, 'eventTypes', 'not a known event type'],
        [{ eventTypes: [] }, 'eventTypes', 'at least one'],
        [{ maxAttempts: 0 }, 'maxAttempts', '1 to 50'],
        [{ channelId: 'nope' }, 'channelId', 'UUID'],
        [{ channelId: newEventId() }, 'channelId', 'not a channel of this tenant'],
      ];
      for (const [overrides, field, message] of cases) {
        const error = await rejection(
          create.execute({ tenantId: tenantA, url: 'https://93.184.216.34/x', eventTypes: ['*'], ...overrides }),
        );
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
        expect((error as ValidationError).message).toContain(message);
      }
      expect((await db.query(`SELECT count(*)::int AS n FROM webhook_subscriptions`))[0].n).toBe(before);
    });

    it("accepts a channel filter for the tenant's own channel only", async () => {
      const channel = await moduleRef
        .get(CreateChannelHandler)
        .execute({ tenantId: tenantA, name: 'Hooks channel', wahaBaseUrl: 'http://waha:3000' });
      const created = await create.execute({
        tenantId: tenantA,
        url: 'https://93.184.216.34/x',
        eventTypes: ['message.*'],
        channelId: channel.id,
      });
      expect(created.channelId).toBe(channel.id);
      const error = await rejection(
        create.execute({ tenantId: tenantB, url: 'https://93.184.216.34/x', eventTypes: ['*'], channelId: channel.id }),
      );
      expect((error as ValidationError).field).toBe('channelId');
    });

    it('keeps tenants apart and lists newest first with keyset paging', async () => {
      const tenant = (await createTenant(moduleRef, 'Paging')).tenantId;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await create.execute({ tenantId: tenant, url: `https://93.184.216.34/${i}`, eventTypes: ['*'] })).id);
      const list = moduleRef.get(ListWebhookSubscriptionsHandler);
      const first = await list.execute({ tenantId: tenant, limit: 2 });
      expect(first.data).toHaveLength(2);
      const second = await list.execute({ tenantId: tenant, limit: 2, cursor: first.nextCursor! });
      const third = await list.execute({ tenantId: tenant, limit: 2, cursor: second.nextCursor! });
      expect(third.nextCursor).toBeNull();
      expect([...first.data, ...second.data, ...third.data].map((s) => s.id)).toEqual([...ids].reverse());
      expect(JSON.stringify(first)).not.toContain('whsec_');

      expect(
        await rejection(moduleRef.get(GetWebhookSubscriptionHandler).execute({ tenantId: tenantB, id: ids[0]! })),
      ).toBeInstanceOf(WebhookSubscriptionNotFoundError);
      expect((await list.execute({ tenantId: tenantB })).data.map((s) => s.id)).not.toContain(ids[0]);
      expect(((await rejection(list.execute({ tenantId: tenant, cursor: 'garbage' }))) as ValidationError).field).toBe(
        'cursor',
      );
      expect(((await rejection(list.execute({ tenantId: tenant, limit: 0 }))) as ValidationError).field).toBe('limit');
    });
  });

  describe('update, rotate, enable, delete', () => {
    it('patches the given fields, re-checking a new URL; another tenant gets 404', async () => {
      const created = await create.execute({ tenantId: tenantA, url: 'https://93.184.216.34/a', eventTypes: ['*'] });
      const update = moduleRef.get(UpdateWebhookSubscriptionHandler);
      const updated = await update.execute({
        tenantId: tenantA,
        id: created.id,
        url: receiver.url('/b'),
        eventTypes: ['contact.*'],
        maxAttempts: 3,
        description: 'new',
      });
      expect(updated).toMatchObject({
        url: receiver.url('/b'),
        eventTypes: ['contact.*'],
        maxAttempts: 3,
        description: 'new',
        active: true,
      });
      expect((await db.query(`SELECT version FROM webhook_subscriptions WHERE id = $1`, [created.id]))[0].version).toBe(
        2,
      );

      const blocked = await rejection(
        update.execute({ tenantId: tenantA, id: created.id, url: 'http://192.168.0.10/' }),
      );
      expect((blocked as ValidationError).field).toBe('url');
      const badTypes = await rejection(update.execute({ tenantId: tenantA, id: created.id, eventTypes: ['nope'] }));
      expect((badTypes as ValidationError).field).toBe('eventTypes');
      expect(
        await rejection(update.execute({ tenantId: tenantB, id: created.id, description: 'mine' })),
      ).toBeInstanceOf(NotFoundError);
      expect(
        (await moduleRef.get(GetWebhookSubscriptionHandler).execute({ tenantId: tenantA, id: created.id })).description,
      ).toBe('new');
    });

    it('rotates the secret (shown once, stored encrypted, different)', async () => {
      const created = await create.execute({ tenantId: tenantA, url: 'https://93.184.216.34/a', eventTypes: ['*'] });
      const rotated = await moduleRef
        .get(RotateWebhookSubscriptionSecretHandler)
        .execute({ tenantId: tenantA, id: created.id });
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(created.secret);
      const row = (await db.query(`SELECT secret_enc FROM webhook_subscriptions WHERE id = $1`, [created.id]))[0];
      expect(moduleRef.get(SecretCipher).decrypt(row.secret_enc)).toBe(rotated.secret);
      expect(
        await rejection(
          moduleRef.get(RotateWebhookSubscriptionSecretHandler).execute({ tenantId: tenantB, id: created.id }),
        ),
      ).toBeInstanceOf(NotFoundError);
    });

    it('soft-deletes: gone from get and list, the row stays, deleting again is 404', async () => {
      const created = await create.execute({ tenantId: tenantA, url: 'https://93.184.216.34/a', eventTypes: ['*'] });
      const remove = moduleRef.get(DeleteWebhookSubscriptionHandler);
      expect(await rejection(remove.execute({ tenantId: tenantB, id: created.id }))).toBeInstanceOf(NotFoundError);
      await remove.execute({ tenantId: tenantA, id: created.id });
      expect(
        await rejection(moduleRef.get(GetWebhookSubscriptionHandler).execute({ tenantId: tenantA, id: created.id })),
      ).toBeInstanceOf(NotFoundError);
      expect(
        (await db.query(`SELECT deleted_at FROM webhook_subscriptions WHERE id = $1`, [created.id]))[0].deleted_at,
      ).toBeInstanceOf(Date);
      expect(await rejection(remove.execute({ tenantId: tenantA, id: created.id }))).toBeInstanceOf(NotFoundError);
      expect(
        await rejection(moduleRef.get(EnableWebhookSubscriptionHandler).execute({ tenantId: tenantA, id: created.id })),
      ).toBeInstanceOf(NotFoundError);
    });
  });

  describe('test events', () => {
    it('writes webhook.test to the outbox for that subscription, which the fan-out routes to it alone', async () => {
      const target = await create.execute({
        tenantId: tenantA,
        url: 'https://93.184.216.34/t',
        eventTypes: ['contact.created'],
      });
      const { eventId } = await moduleRef
        .get(SendTestWebhookHandler)
        .execute({ tenantId: tenantA, id: target.id, message: 'ping' });
      const row = (
        await db.query(
          `SELECT tenant_id, type, aggregate_type, aggregate_id, payload, status FROM outbox_events WHERE id = $1`,
          [eventId],
        )
      )[0];
      expect(row).toEqual({
        tenant_id: tenantA,
        type: 'webhook.test',
        aggregate_type: 'webhook_subscription',
        aggregate_id: target.id,
        payload: { subscriptionId: target.id, message: 'ping' },
        status: 'pending',
      });
      const planned = await moduleRef
        .get(WebhookFanOutService)
        .plan({ id: eventId, type: row.type, tenantId: tenantA, data: row.payload });
      expect(planned.map((p) => p.subscriptionId)).toEqual([target.id]);
    });

    it('refuses a paused subscription (422) and an unknown one (404)', async () => {
      const paused = await create.execute({ tenantId: tenantA, url: 'https://93.184.216.34/t', eventTypes: ['*'] });
      await moduleRef
        .get(UpdateWebhookSubscriptionHandler)
        .execute({ tenantId: tenantA, id: paused.id, active: false });
      const send = moduleRef.get(SendTestWebhookHandler);
      expect(await rejection(send.execute({ tenantId: tenantA, id: paused.id }))).toBeInstanceOf(
        WebhookSubscriptionInactiveError,
      );
      expect(await rejection(send.execute({ tenantId: tenantB, id: paused.id }))).toBeInstanceOf(NotFoundError);
    });
  });

  describe('deliveries and replays', () => {
    /** A subscription to the receiver with `failed` deliveries: each event planned and attempted once against a 500. */
    const withFailures = async (count: number) => {
      const tenantId = (await createTenant(moduleRef, 'Replays')).tenantId;
      const subscription = await create.execute({ tenantId, url: receiver.url('/replay'), eventTypes: ['contact.*'] });
      receiver.reply({ status: 500 });
      const deliveries: { deliveryId: string; eventId: string }[] = [];
      for (let i = 0; i < count; i++) {
        const eventId = newEventId();
        await db.query(
          `INSERT INTO outbox_events (id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at) VALUES ($1, $2, 'contact', 'c', 'contact.created', '{}', now())`,
          [eventId, tenantId],
        );
        // Each event as if its attempt were the endpoint's first failure (no run here releases held ones).
        await db.query(`UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = $1`, [subscription.id]);
        const [planned] = await moduleRef
          .get(WebhookFanOutService)
          .plan({ id: eventId, type: 'contact.created', tenantId, data: {} });
        await moduleRef
          .get(WebhookDispatchService)
          .deliver({ tenantId, subscriptionId: subscription.id, eventId, deliveryId: planned!.deliveryId, attempt: 1 });
        deliveries.push({ deliveryId: planned!.deliveryId, eventId });
      }
      receiver.reply({ status: 200 });
      return { tenantId, subscription, deliveries };
    };

    it('lists deliveries newest first with their attempt logs, filtered by status, tenant-scoped', async () => {
      const { tenantId, subscription, deliveries } = await withFailures(3);
      await moduleRef
        .get(WebhookDeliveryOutcomeService)
        .deadLettered({ tenantId, deliveryId: deliveries[0]!.deliveryId, reason: 'gave up', gone: false });
      const list = moduleRef.get(ListWebhookDeliveriesHandler);
      const page = await list.execute({ tenantId, subscriptionId: subscription.id, limit: 2 });
      expect(page.data.map((d) => d.id)).toEqual([deliveries[2]!.deliveryId, deliveries[1]!.deliveryId]);
      expect(page.data[0]).toEqual({
        id: deliveries[2]!.deliveryId,
        subscriptionId: subscription.id,
        eventId: deliveries[2]!.eventId,
        eventType: 'contact.created',
        status: 'failed',
        attempts: 1,
        lastStatusCode: 500,
        lastError: 'endpoint answered 500',
        nextAttemptAt: null,
        deliveredAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        attemptLog: [
          {
            attempt: 1,
            startedAt: expect.any(String),
            durationMs: expect.any(Number),
            statusCode: 500,
            error: 'endpoint answered 500',
            outcome: 'retryable',
          },
        ],
      });
      const next = await list.execute({
        tenantId,
        subscriptionId: subscription.id,
        limit: 2,
        cursor: page.nextCursor!,
      });
      expect(next.data.map((d) => d.id)).toEqual([deliveries[0]!.deliveryId]);
      expect(next.nextCursor).toBeNull();
      expect(
        (await list.execute({ tenantId, subscriptionId: subscription.id, status: 'dead' })).data.map((d) => d.id),
      ).toEqual([deliveries[0]!.deliveryId]);
      expect(
        (
          (await rejection(
            list.execute({ tenantId, subscriptionId: subscription.id, status: 'weird' as never }),
          )) as ValidationError
        ).field,
      ).toBe('status');
      expect(await rejection(list.execute({ tenantId: tenantB, subscriptionId: subscription.id }))).toBeInstanceOf(
        NotFoundError,
      );
    });

    it('replays one delivery: row reset to pending, a replay start through the port, the attempt log kept and continued', async () => {
      const { tenantId, subscription, deliveries } = await withFailures(1);
      const { deliveryId, eventId } = deliveries[0]!;
      await moduleRef
        .get(WebhookDeliveryOutcomeService)
        .deadLettered({ tenantId, deliveryId, reason: 'gave up', gone: false });

      const view = await moduleRef.get(ReplayWebhookDeliveryHandler).execute({ tenantId, id: deliveryId });
      expect(view).toMatchObject({
        id: deliveryId,
        status: 'pending',
        attempts: 0,
        lastStatusCode: null,
        lastError: null,
      });
      expect(starter.starts).toEqual([
        {
          input: { tenantId, subscriptionId: subscription.id, eventId, deliveryId, maxAttempts: 6 },
          options: { replay: true },
        },
      ]);
      expect(
        (await db.query(`SELECT status, attempts FROM webhook_deliveries WHERE id = $1`, [deliveryId]))[0],
      ).toEqual({ status: 'pending', attempts: 0 });

      // The new run's first attempt is number 2 in the log; the first one is kept.
      expect(
        await moduleRef
          .get(WebhookDispatchService)
          .deliver({ tenantId, subscriptionId: subscription.id, eventId, deliveryId, attempt: 1 }),
      ).toMatchObject({
        outcome: 'delivered',
      });
      const attempts = await db.query(
        `SELECT attempt, outcome FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`,
        [deliveryId],
      );
      expect(attempts).toEqual([
        { attempt: 1, outcome: 'retryable' },
        { attempt: 2, outcome: 'delivered' },
      ]);
    });

    it('a run that starts before the replay commits waits for it: a replayed delivered delivery is really sent again', async () => {
      const { tenantId, subscription, deliveries } = await withFailures(1);
      const { deliveryId, eventId } = deliveries[0]!;
      const dispatch = moduleRef.get(WebhookDispatchService);
      expect(
        await dispatch.deliver({ tenantId, subscriptionId: subscription.id, eventId, deliveryId, attempt: 2 }),
      ).toMatchObject({ outcome: 'delivered' });
      receiver.received.length = 0;

      // The run executes elsewhere (a worker), outside the replay's transaction context.
      const outside = new AsyncResource('webhook-worker');
      let run: Promise<unknown> | null = null;
      starter.onStart = async (input) => {
        run = outside.runInAsyncScope(() => dispatch.deliver({ ...input, attempt: 1 }));
        // Keep the replay's transaction open while the run reads the delivery.
        await new Promise((resolve) => setTimeout(resolve, 300));
      };
      await moduleRef.get(ReplayWebhookDeliveryHandler).execute({ tenantId, id: deliveryId });
      expect(await run).toMatchObject({ outcome: 'delivered', statusCode: 200 });
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.headers['webhook-id']).toBe(eventId);
      expect(
        (await db.query(`SELECT status, attempts FROM webhook_deliveries WHERE id = $1`, [deliveryId]))[0],
      ).toEqual({ status: 'delivered', attempts: 1 });
    });

    it('leaves the row as it was when the start fails, and refuses other tenants, paused subscriptions and expired events', async () => {
      const { tenantId, subscription, deliveries } = await withFailures(1);
      const { deliveryId, eventId } = deliveries[0]!;
      const replay = moduleRef.get(ReplayWebhookDeliveryHandler);
      starter.failNext();
      await expect(replay.execute({ tenantId, id: deliveryId })).rejects.toThrow('delivery starter unavailable');
      expect(
        (await db.query(`SELECT status, attempts FROM webhook_deliveries WHERE id = $1`, [deliveryId]))[0],
      ).toEqual({ status: 'failed', attempts: 1 });

      expect(await rejection(replay.execute({ tenantId: tenantB, id: deliveryId }))).toBeInstanceOf(NotFoundError);
      await moduleRef.get(UpdateWebhookSubscriptionHandler).execute({ tenantId, id: subscription.id, active: false });
      expect(await rejection(replay.execute({ tenantId, id: deliveryId }))).toBeInstanceOf(
        WebhookSubscriptionInactiveError,
      );
      await moduleRef.get(EnableWebhookSubscriptionHandler).execute({ tenantId, id: subscription.id });
      await db.query(`DELETE FROM outbox_events WHERE id = $1`, [eventId]);
      expect(await rejection(replay.execute({ tenantId, id: deliveryId }))).toBeInstanceOf(WebhookEventExpiredError);
      expect(starter.starts).toEqual([]);
    });

    it('replays everything failed or dead since a time, counting what it started and what expired', async () => {
      const { tenantId, subscription, deliveries } = await withFailures(4);
      const outcomes = moduleRef.get(WebhookDeliveryOutcomeService);
      await outcomes.deadLettered({ tenantId, deliveryId: deliveries[0]!.deliveryId, reason: 'gave up', gone: false });
      await outcomes.delivered({ tenantId, deliveryId: deliveries[1]!.deliveryId, statusCode: 200 });
      // deliveries[2] stays failed; deliveries[3] failed long ago.
      await db.query(`UPDATE webhook_deliveries SET updated_at = '2020-01-01T00:00:00Z' WHERE id = $1`, [
        deliveries[3]!.deliveryId,
      ]);

      const replayAll = moduleRef.get(ReplayFailedWebhookDeliveriesHandler);
      const since = new Date(Date.now() - 3_600_000);
      expect(await replayAll.execute({ tenantId, subscriptionId: subscription.id, since })).toEqual({
        count: 2,
        skipped: 0,
      });
      expect(starter.starts.map((s) => s.input.deliveryId).sort()).toEqual(
        [deliveries[0]!.deliveryId, deliveries[2]!.deliveryId].sort(),
      );
      expect(
        starter.starts.every(
          (s) => s.options.replay && s.input.maxAttempts === 6 && s.input.subscriptionId === subscription.id,
        ),
      ).toBe(true);
      const statuses = await db.query(
        `SELECT id, status, attempts FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY created_at`,
        [subscription.id],
      );
      expect(statuses.map((r: { status: string }) => r.status)).toEqual(['pending', 'delivered', 'pending', 'failed']);

      // Nothing left to replay now; an older `since` also takes the old failure. Expired events are skipped.
      starter.clear();
      expect(await replayAll.execute({ tenantId, subscriptionId: subscription.id, since })).toEqual({
        count: 0,
        skipped: 0,
      });
      await db.query(`DELETE FROM outbox_events WHERE id = $1`, [deliveries[3]!.eventId]);
      expect(
        await replayAll.execute({ tenantId, subscriptionId: subscription.id, since: new Date('2019-01-01T00:00:00Z') }),
      ).toEqual({ count: 0, skipped: 1 });
      expect(starter.starts).toEqual([]);

      expect(
        await rejection(replayAll.execute({ tenantId: tenantB, subscriptionId: subscription.id, since })),
      ).toBeInstanceOf(NotFoundError);
      expect(
        (
          (await rejection(
            replayAll.execute({ tenantId, subscriptionId: subscription.id, since: new Date('x') }),
          )) as ValidationError
        ).field,
      ).toBe('since');
    });
  });
});
