import { type TestingModule } from '@nestjs/testing';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { Clock, type DomainEvent, EventOutbox, UnitOfWork, newEventId } from '@app/shared';
import {
  CreateWebhookSubscriptionHandler,
  WebhookDeliveryRepository,
  WebhookDeliveryOutcomeService,
  WebhookDispatchService,
  WebhookFanOutService,
  type WebhookFanOutEvent,
  WebhookInlineFirstAttemptService,
  WebhookModule,
} from '@app/webhook';
import {
  RecordingWebhookDeliveryStarter,
  RecordingWebhookDeliveryStarterModule,
  type TestWebhookReceiver,
  startTestWebhookReceiver,
} from '@app/webhook/testing';
import { createTenant, createTestContext } from '../../../../../test/support/nest';
import { ownerView } from '../../../../../test/support/database';

const INLINE_TIMEOUT_MS = 400;
const INLINE_MAX_PER_SUBSCRIPTION = 2;
const INLINE_SLOT_WAIT_MS = 3_000;

/** The fan-out's inline first attempt against real receivers on 127.0.0.1 and a real database; the
 *  starter records the runs it would start (a WebhookDeliveryWorkflow in the worker). */
describe('WebhookInlineFirstAttemptService (real PostgreSQL, real HTTP receivers)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let inline: WebhookInlineFirstAttemptService;
  let starter: RecordingWebhookDeliveryStarter;
  let create: CreateWebhookSubscriptionHandler;
  let tenantId: string;
  const receivers: TestWebhookReceiver[] = [];

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([RecordingWebhookDeliveryStarterModule, WebhookModule], {
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_SLOW_AFTER_MS: '1000',
      WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS: String(INLINE_TIMEOUT_MS),
      WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION: String(INLINE_MAX_PER_SUBSCRIPTION),
      WEBHOOK_INLINE_SLOT_WAIT_MS: String(INLINE_SLOT_WAIT_MS),
    }));
    db = await ownerView(moduleRef.get(DataSource));
    inline = moduleRef.get(WebhookInlineFirstAttemptService);
    starter = moduleRef.get(RecordingWebhookDeliveryStarter);
    create = moduleRef.get(CreateWebhookSubscriptionHandler);
  });

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await moduleRef?.close();
  });

  // A tenant per test: an event fans out to every live subscription of its tenant.
  beforeEach(async () => {
    starter.clear();
    jest.restoreAllMocks();
    tenantId = (await createTenant(moduleRef, 'Inline')).tenantId;
  });

  const receiver = async () => {
    const r = await startTestWebhookReceiver();
    receivers.push(r);
    return r;
  };
  const subscribe = (r: TestWebhookReceiver, extra: { maxAttempts?: number; eventTypes?: string[] } = {}) =>
    create.execute({
      tenantId,
      url: r.url(),
      eventTypes: extra.eventTypes ?? ['contact.*'],
      ...(extra.maxAttempts ? { maxAttempts: extra.maxAttempts } : {}),
    });

  /** An event stored in the outbox (the attempt reads it there), as the relay hands it over. */
  const publishable = async (
    type = 'contact.created',
    data: Record<string, unknown> = { id: 'c-1' },
  ): Promise<WebhookFanOutEvent> => {
    const event: DomainEvent = {
      id: newEventId(),
      type,
      occurredAt: new Date(),
      tenantId,
      aggregateType: 'contact',
      aggregateId: 'c-1',
      data,
    };
    await moduleRef.get(UnitOfWork).run(() => moduleRef.get(EventOutbox).append([event]));
    return { id: event.id, type, tenantId, data };
  };

  const deliveryOf = async (subscriptionId: string, eventId: string) =>
    (
      await db.query(
        `SELECT id, status, attempts, last_status_code, last_error FROM webhook_deliveries WHERE subscription_id = $1 AND event_id = $2`,
        [subscriptionId, eventId],
      )
    )[0];
  const attemptLog = async (deliveryId: string) =>
    (await db.query(
      `SELECT attempt, status_code, outcome, error FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`,
      [deliveryId],
    )) as {
      attempt: number;
      status_code: number | null;
      outcome: string;
      error: string | null;
    }[];
  const health = async (subscriptionId: string) =>
    (
      await db.query(
        `SELECT failing_since, consecutive_failures, active, disabled_at FROM webhook_subscriptions WHERE id = $1`,
        [subscriptionId],
      )
    )[0];
  const outboxOfType = async (type: string) =>
    db.query(`SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = $2`, [tenantId, type]);

  it('a healthy endpoint: delivered inline, one attempt recorded, the success bookkeeping done, no run started', async () => {
    const r = await receiver();
    const sub = await subscribe(r);
    // An earlier dead delivery counted: the inline success resets it, as a run's success would.
    await db.query(`UPDATE webhook_subscriptions SET consecutive_failures = 2 WHERE id = $1`, [sub.id]);
    const event = await publishable();

    const results = await inline.deliver(event);

    const delivery = await deliveryOf(sub.id, event.id);
    expect(results).toEqual([
      { subscriptionId: sub.id, deliveryId: delivery.id, outcome: 'delivered', attemptedInline: true },
    ]);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200, last_error: null });
    expect(await attemptLog(delivery.id)).toEqual([
      { attempt: 1, status_code: 200, outcome: 'delivered', error: null },
    ]);
    expect(await health(sub.id)).toMatchObject({ failing_since: null, consecutive_failures: 0 });
    expect(starter.starts).toEqual([]);
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.headers['webhook-id']).toBe(event.id);
    expect(
      new Webhook(sub.secret).verify(r.received[0]!.body, r.received[0]!.headers as Record<string, string>),
    ).toMatchObject({ id: event.id });

    // Published again: the delivery is settled, so nothing is sent and no run starts.
    expect(await inline.deliver(event)).toEqual([]);
    expect(r.received).toHaveLength(1);
    expect(starter.starts).toEqual([]);
  });

  it('a failed inline attempt (500): recorded as attempt 1, the endpoint marked failing, and a run starts with the attempt counted', async () => {
    const r = await receiver();
    r.reply({ status: 500 });
    const sub = await subscribe(r);
    const event = await publishable();

    const [result] = await inline.deliver(event);

    const delivery = await deliveryOf(sub.id, event.id);
    expect(result).toEqual({
      subscriptionId: sub.id,
      deliveryId: delivery.id,
      outcome: 'run-started',
      attemptedInline: true,
    });
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 500 });
    expect(await attemptLog(delivery.id)).toEqual([
      { attempt: 1, status_code: 500, outcome: 'retryable', error: 'endpoint answered 500' },
    ]);
    expect((await health(sub.id)).failing_since).toEqual(expect.any(Date));
    expect(starter.starts).toEqual([
      {
        input: {
          tenantId,
          subscriptionId: sub.id,
          eventId: event.id,
          deliveryId: delivery.id,
          maxAttempts: 8,
          attemptsMade: 1,
        },
        options: { replay: false },
      },
    ]);
  });

  it("429 with Retry-After: the run gets the endpoint's wait for its first retry", async () => {
    const r = await receiver();
    r.reply({ status: 429, headers: { 'retry-after': '3' } });
    const sub = await subscribe(r);
    const event = await publishable();
    await inline.deliver(event);
    expect(starter.starts.map((s) => s.input)).toEqual([
      expect.objectContaining({ subscriptionId: sub.id, attemptsMade: 1, retryAfterMs: 3000 }),
    ]);
  });

  it('the inline budget runs out: a timed-out attempt 1, a run, and the endpoint not marked failing (the budget is below WEBHOOK_SLOW_AFTER_MS)', async () => {
    const r = await receiver();
    r.reply('hang');
    const sub = await subscribe(r);
    const event = await publishable();

    const startedAt = Date.now();
    const [result] = await inline.deliver(event);
    expect(Date.now() - startedAt).toBeLessThan(INLINE_TIMEOUT_MS + 1_000);

    const delivery = await deliveryOf(sub.id, event.id);
    expect(result).toMatchObject({ outcome: 'run-started', attemptedInline: true });
    expect(await attemptLog(delivery.id)).toEqual([
      { attempt: 1, status_code: null, outcome: 'retryable', error: `no answer within ${INLINE_TIMEOUT_MS} ms` },
    ]);
    expect((await health(sub.id)).failing_since).toBeNull();
    expect(starter.starts.map((s) => s.input)).toEqual([
      expect.objectContaining({ deliveryId: delivery.id, attemptsMade: 1 }),
    ]);
  });

  it('the per-subscription cap: a burst waits its turn for a slot and stays inline, never more than the cap in flight at the endpoint', async () => {
    const r = await receiver();
    r.reply({ status: 200, delayMs: 100 });
    const sub = await subscribe(r);
    const events = await Promise.all(Array.from({ length: 3 * INLINE_MAX_PER_SUBSCRIPTION }, () => publishable()));

    const results = (await Promise.all(events.map((e) => inline.deliver(e)))).flat();

    expect(results).toHaveLength(events.length);
    expect(results.every((x) => x.subscriptionId === sub.id && x.outcome === 'delivered' && x.attemptedInline)).toBe(
      true,
    );
    expect(starter.starts).toEqual([]);
    expect(r.received).toHaveLength(events.length);
    expect(r.maxConcurrent()).toBeLessThanOrEqual(INLINE_MAX_PER_SUBSCRIPTION);
  });

  it('the per-subscription cap without a wait (WEBHOOK_INLINE_SLOT_WAIT_MS 0): with that many attempts in flight, the next delivery goes straight to a run, unsent; another subscription is not held back', async () => {
    const inline = new WebhookInlineFirstAttemptService(
      moduleRef.get(WebhookFanOutService),
      moduleRef.get(WebhookDispatchService),
      moduleRef.get(WebhookDeliveryOutcomeService),
      starter,
      moduleRef.get(WebhookDeliveryRepository),
      moduleRef.get(UnitOfWork),
      moduleRef.get(Clock),
      {
        inlineAttemptTimeoutMs: INLINE_TIMEOUT_MS,
        inlineMaxPerSubscription: INLINE_MAX_PER_SUBSCRIPTION,
        inlineSlotWaitMs: 0,
      },
    );
    const busy = await receiver();
    busy.reply({ status: 200, delayMs: 250 });
    const other = await receiver();
    const sub = await subscribe(busy);
    const otherSub = await subscribe(other, { eventTypes: ['session.*'] });
    const events = await Promise.all(Array.from({ length: INLINE_MAX_PER_SUBSCRIPTION + 1 }, () => publishable()));
    const otherEvent = await publishable('session.started');

    const results = (await Promise.all([...events, otherEvent].map((e) => inline.deliver(e)))).flat();

    const mine = results.filter((x) => x.subscriptionId === sub.id);
    expect(mine.filter((x) => x.outcome === 'delivered' && x.attemptedInline)).toHaveLength(
      INLINE_MAX_PER_SUBSCRIPTION,
    );
    const overflow = mine.filter((x) => x.outcome === 'run-started');
    expect(overflow).toEqual([expect.objectContaining({ attemptedInline: false })]);
    expect(starter.starts).toEqual([
      { input: expect.not.objectContaining({ attemptsMade: expect.anything() }), options: { replay: false } },
    ]);
    expect(starter.starts[0]!.input).toMatchObject({
      subscriptionId: sub.id,
      deliveryId: overflow[0]!.deliveryId,
      maxAttempts: 8,
    });
    expect(busy.received).toHaveLength(INLINE_MAX_PER_SUBSCRIPTION);
    expect(
      await deliveryOf(
        sub.id,
        events.find((e) => !busy.received.some((req) => req.headers['webhook-id'] === e.id))!.id,
      ),
    ).toMatchObject({
      id: overflow[0]!.deliveryId,
      status: 'pending',
      attempts: 0,
    });
    // Another subscription's delivery at the same time went inline.
    expect(results.filter((x) => x.subscriptionId === otherSub.id)).toEqual([
      expect.objectContaining({ outcome: 'delivered', attemptedInline: true }),
    ]);
    expect(other.received).toHaveLength(1);

    // Slots are given back: the next event goes inline again.
    expect((await inline.deliver(await publishable())).find((x) => x.subscriptionId === sub.id)).toMatchObject({
      outcome: 'delivered',
      attemptedInline: true,
    });
  });

  it('a hanging endpoint with deliveries queued behind it: the attempts that run out of time mark it failing and go to runs; the queued deliveries are held, unsent and without a run; the next event is held by the plan', async () => {
    const r = await receiver();
    r.reply('hang');
    const sub = await subscribe(r);
    const queued = 3;
    const events = await Promise.all(Array.from({ length: INLINE_MAX_PER_SUBSCRIPTION + queued }, () => publishable()));

    const results = (await Promise.all(events.map((e) => inline.deliver(e)))).flat();

    const attempted = results.filter((x) => x.attemptedInline);
    expect(attempted).toHaveLength(INLINE_MAX_PER_SUBSCRIPTION);
    expect(attempted.every((x) => x.outcome === 'run-started')).toBe(true);
    const held = results.filter((x) => !x.attemptedInline);
    expect(held).toHaveLength(queued);
    expect(held.every((x) => x.outcome === 'held')).toBe(true);
    expect(r.received).toHaveLength(INLINE_MAX_PER_SUBSCRIPTION);
    expect(starter.starts.map((s) => s.input.deliveryId).sort()).toEqual(attempted.map((x) => x.deliveryId).sort());
    expect(starter.starts.every((s) => s.input.attemptsMade === 1)).toBe(true);
    expect((await health(sub.id)).failing_since).toEqual(expect.any(Date));
    for (const x of held) {
      expect(await db.query(`SELECT status, attempts FROM webhook_deliveries WHERE id = $1`, [x.deliveryId])).toEqual([
        { status: 'held', attempts: 0 },
      ]);
    }

    const next = await publishable();
    expect(await inline.deliver(next)).toEqual([]);
    expect(await deliveryOf(sub.id, next.id)).toMatchObject({ status: 'held', attempts: 0 });
    expect(r.received).toHaveLength(INLINE_MAX_PER_SUBSCRIPTION);
    expect(starter.starts).toHaveLength(INLINE_MAX_PER_SUBSCRIPTION);
  });

  it('a held endpoint: the delivery is stored held, nothing is sent and no run starts; a webhook.test to it goes to a run, not inline', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { eventTypes: ['*'] });
    await db.query(`UPDATE webhook_subscriptions SET failing_since = now() WHERE id = $1`, [sub.id]);
    const event = await publishable();

    expect(await inline.deliver(event)).toEqual([]);
    expect(await deliveryOf(sub.id, event.id)).toMatchObject({ status: 'held', attempts: 0 });
    expect(r.received).toEqual([]);
    expect(starter.starts).toEqual([]);

    const test = await publishable('webhook.test', { subscriptionId: sub.id, message: 'ping' });
    expect(await inline.deliver(test)).toEqual([
      expect.objectContaining({ subscriptionId: sub.id, outcome: 'run-started', attemptedInline: false }),
    ]);
    expect(r.received).toEqual([]);
    expect(starter.starts.map((s) => s.input)).toEqual([
      expect.objectContaining({ subscriptionId: sub.id, eventId: test.id }),
    ]);
  });

  it('a final inline answer is dead-lettered inline, as a run would: 400 counts a failure and raises webhook.delivery_failed; 410 disables; no run', async () => {
    const refusing = await receiver();
    refusing.reply({ status: 400 });
    const refused = await subscribe(refusing);
    const event = await publishable();
    expect(await inline.deliver(event)).toEqual([
      expect.objectContaining({ subscriptionId: refused.id, outcome: 'dead-lettered', attemptedInline: true }),
    ]);
    const dead = await deliveryOf(refused.id, event.id);
    expect(dead).toMatchObject({
      status: 'dead',
      attempts: 1,
      last_status_code: 400,
      last_error: 'endpoint refused the event (HTTP 400: endpoint answered 400)',
    });
    expect(await health(refused.id)).toMatchObject({ consecutive_failures: 1, active: true, failing_since: null });
    expect((await outboxOfType('webhook.delivery_failed')).map((e: { payload: unknown }) => e.payload)).toEqual([
      expect.objectContaining({ subscriptionId: refused.id, deliveryId: dead.id, eventId: event.id, attempts: 1 }),
    ]);

    // Out of the way of the next event.
    await db.query(`UPDATE webhook_subscriptions SET active = false WHERE id = $1`, [refused.id]);

    const goneReceiver = await receiver();
    goneReceiver.reply({ status: 410 });
    const gone = await subscribe(goneReceiver);
    const later = await publishable();
    expect(await inline.deliver(later)).toEqual([
      expect.objectContaining({ subscriptionId: gone.id, outcome: 'dead-lettered' }),
    ]);
    expect(await deliveryOf(gone.id, later.id)).toMatchObject({ status: 'dead', attempts: 1 });
    expect(await health(gone.id)).toMatchObject({ active: false, disabled_at: expect.any(Date) });
    expect(starter.starts).toEqual([]);
  });

  it('maxAttempts 1: a failed inline attempt was the only one, so it is dead-lettered without a run', async () => {
    const r = await receiver();
    r.reply({ status: 503 });
    const sub = await subscribe(r, { maxAttempts: 1 });
    const event = await publishable();
    expect(await inline.deliver(event)).toEqual([
      expect.objectContaining({ subscriptionId: sub.id, outcome: 'dead-lettered' }),
    ]);
    expect(await deliveryOf(sub.id, event.id)).toMatchObject({
      status: 'dead',
      attempts: 1,
      last_error: 'delivery attempt failed (HTTP 503: endpoint answered 503)',
    });
    expect(await health(sub.id)).toMatchObject({ consecutive_failures: 1 });
    expect(starter.starts).toEqual([]);
  });

  it('a crash between the POST and its record: the fan-out fails, the event is published again, and the run it starts sends the same webhook-id', async () => {
    const r = await receiver();
    const sub = await subscribe(r);
    const bystander = await receiver();
    const bystanderSub = await subscribe(bystander);
    const event = await publishable();
    const deliveries = moduleRef.get(WebhookDeliveryRepository);
    const appendAttempt = deliveries.appendAttempt.bind(deliveries);
    // The first record of this subscription's attempt dies after its POST went out (as the process would).
    let crashes = 0;
    jest.spyOn(deliveries, 'appendAttempt').mockImplementation(async (deliveryId, attempt) => {
      const row = (await db.query(`SELECT subscription_id FROM webhook_deliveries WHERE id = $1`, [deliveryId]))[0];
      if (row?.subscription_id === sub.id && crashes++ === 0)
        throw new Error('process died between the POST and its record (test)');
      return appendAttempt(deliveryId, attempt);
    });

    await expect(inline.deliver(event)).rejects.toThrow('1 of 2 webhook deliveries of event');
    expect(r.received).toHaveLength(1);
    const delivery = await deliveryOf(sub.id, event.id);
    // Nothing recorded: the row the fan-out created before the POST is still pending, with no run.
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await attemptLog(delivery.id)).toEqual([]);
    expect(starter.starts).toEqual([]);
    // The other subscription's delivery went through regardless.
    expect(await deliveryOf(bystanderSub.id, event.id)).toMatchObject({ status: 'delivered', attempts: 1 });

    // The outbox publishes the event again (at-least-once). The fan-out finds the row an earlier
    // fan-out created and starts its run; the run's attempt (the very call the workflow's activity
    // makes) sends the delivery again.
    starter.onStart = async (input) => {
      await moduleRef.get(WebhookDispatchService).deliver({ ...input, attempt: 1 });
    };
    expect(await inline.deliver(event)).toEqual([
      { subscriptionId: sub.id, deliveryId: delivery.id, outcome: 'run-started', attemptedInline: false },
    ]);
    expect(starter.starts.map((s) => s.input)).toEqual([
      { tenantId, subscriptionId: sub.id, eventId: event.id, deliveryId: delivery.id, maxAttempts: 8 },
    ]);

    expect(r.received).toHaveLength(2);
    expect(r.received.map((req) => req.headers['webhook-id'])).toEqual([event.id, event.id]);
    for (const req of r.received)
      expect(new Webhook(sub.secret).verify(req.body, req.headers as Record<string, string>)).toMatchObject({
        id: event.id,
      });
    expect(await deliveryOf(sub.id, event.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await attemptLog(delivery.id)).toEqual([
      { attempt: 1, status_code: 200, outcome: 'delivered', error: null },
    ]);
    // Neither subscription hears of it a third time.
    expect(await inline.deliver(event)).toEqual([]);
    expect(r.received).toHaveLength(2);
    expect(bystander.received).toHaveLength(1);
  });

  it('a crash after a failed attempt was recorded but before its run started: the repeat starts the run with that attempt counted', async () => {
    const r = await receiver();
    r.reply({ status: 502 });
    const sub = await subscribe(r, { maxAttempts: 3 });
    const event = await publishable();
    starter.failNext();

    await expect(inline.deliver(event)).rejects.toThrow('delivery starter unavailable');
    const delivery = await deliveryOf(sub.id, event.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });

    expect(await inline.deliver(event)).toEqual([
      expect.objectContaining({ outcome: 'run-started', attemptedInline: false }),
    ]);
    expect(starter.starts.map((s) => s.input)).toEqual([
      expect.objectContaining({ deliveryId: delivery.id, maxAttempts: 3, attemptsMade: 1 }),
    ]);
    expect(r.received).toHaveLength(1);
  });
});
