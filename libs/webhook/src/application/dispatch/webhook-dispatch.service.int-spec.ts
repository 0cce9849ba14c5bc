import { type TestingModule } from '@nestjs/testing';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { type DomainEvent, EventOutbox, UnitOfWork, newEventId } from '@app/shared';
import {
  CreateWebhookSubscriptionHandler,
  RotateWebhookSubscriptionSecretHandler,
  UpdateWebhookSubscriptionHandler,
  WebhookDeliveryNotFoundError,
  WebhookDispatchService,
  WebhookFanOutService,
  WebhookModule,
} from '@app/webhook';
import {
  RecordingWebhookDeliveryStarterModule,
  type TestWebhookReceiver,
  startTestWebhookReceiver,
} from '@app/webhook/testing';
import { createTenant, createTestContext, eventually } from '../../../../../test/support/nest';
import { ownerView } from '../../../../../test/support/database';

const TIMEOUT_MS = 500;
const SLOW_AFTER_MS = 150;

interface AttemptRow {
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  outcome: string;
}

describe('WebhookDispatchService (real PostgreSQL, real HTTP receivers)', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let dispatch: WebhookDispatchService;
  let fanOut: WebhookFanOutService;
  let create: CreateWebhookSubscriptionHandler;
  let receiver: TestWebhookReceiver;
  let tenantId: string;

  beforeAll(async () => {
    ({ moduleRef } = await createTestContext([RecordingWebhookDeliveryStarterModule, WebhookModule], {
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      WEBHOOK_SLOW_AFTER_MS: String(SLOW_AFTER_MS),
    }));
    db = await ownerView(moduleRef.get(DataSource));
    dispatch = moduleRef.get(WebhookDispatchService);
    fanOut = moduleRef.get(WebhookFanOutService);
    create = moduleRef.get(CreateWebhookSubscriptionHandler);
    tenantId = (await createTenant(moduleRef, 'Dispatch')).tenantId;
    receiver = await startTestWebhookReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await moduleRef?.close();
  });

  beforeEach(() => {
    receiver.received.length = 0;
    receiver.reply({ status: 200 });
  });

  /** A subscription to the receiver, an event in the outbox, and its planned delivery. */
  const scenario = async (path = '/hooks') => {
    const subscription = await create.execute({ tenantId, url: receiver.url(path), eventTypes: ['contact.*'] });
    const event: DomainEvent = {
      id: newEventId(),
      type: 'contact.created',
      occurredAt: new Date('2025-11-26T12:00:00.123Z'),
      tenantId,
      aggregateType: 'contact',
      aggregateId: 'c-1',
      data: { id: 'c-1', name: 'Zoë', phone: '5511999990000' },
    };
    await moduleRef.get(UnitOfWork).run(() => moduleRef.get(EventOutbox).append([event]));
    const planned = (await fanOut.plan({ id: event.id, type: event.type, tenantId, data: event.data })).filter(
      (p) => p.subscriptionId === subscription.id,
    );
    expect(planned).toHaveLength(1);
    const input = {
      tenantId,
      subscriptionId: subscription.id,
      eventId: event.id,
      deliveryId: planned[0]!.deliveryId,
      attempt: 1,
    };
    return { subscription, event, input };
  };

  const attemptsOf = (deliveryId: string): Promise<AttemptRow[]> =>
    db.query(
      `SELECT attempt, started_at, duration_ms, status_code, error, outcome FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`,
      [deliveryId],
    );
  const deliveryRow = async (deliveryId: string) =>
    (await db.query(`SELECT * FROM webhook_deliveries WHERE id = $1`, [deliveryId]))[0];

  it('delivers on 200: Standard Webhooks headers the official library verifies, the payload, one attempt recorded', async () => {
    const { subscription, event, input } = await scenario();
    const before = Math.floor(Date.now() / 1000);
    const result = await dispatch.deliver(input);
    expect(result).toEqual({ outcome: 'delivered', statusCode: 200, retryAfterMs: null, error: null });

    expect(receiver.received).toHaveLength(1);
    const request = receiver.received[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(Number(request.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    const verified = new Webhook(subscription.secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    const payload = {
      id: event.id,
      type: 'contact.created',
      occurredAt: '2025-11-26T12:00:00.123Z',
      tenantId,
      data: event.data,
    };
    expect(verified).toEqual(payload);
    expect(request.body).toBe(JSON.stringify(payload));

    const attempts = await attemptsOf(input.deliveryId);
    expect(attempts).toEqual([
      {
        attempt: 1,
        started_at: expect.any(Date),
        duration_ms: expect.any(Number),
        status_code: 200,
        error: null,
        outcome: 'delivered',
      },
    ]);
    expect(await deliveryRow(input.deliveryId)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      last_status_code: 200,
      last_error: null,
      delivered_at: expect.any(Date),
    });

    // A repeated call (lost activity result) sends nothing again.
    expect(await dispatch.deliver({ ...input, attempt: 2 })).toMatchObject({ outcome: 'delivered', statusCode: 200 });
    expect(receiver.received).toHaveLength(1);
  });

  it('answers retryable on 500 and records the attempt; the delivery is failed while the run retries', async () => {
    const { input } = await scenario();
    receiver.reply({ status: 500, body: 'internal stack trace: secret-internal-detail' });
    expect(await dispatch.deliver(input)).toEqual({
      outcome: 'retryable',
      statusCode: 500,
      retryAfterMs: null,
      error: 'endpoint answered 500',
    });
    expect(await attemptsOf(input.deliveryId)).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 500, outcome: 'retryable', error: 'endpoint answered 500' }),
    ]);
    const row = await deliveryRow(input.deliveryId);
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_status_code: 500,
      last_error: 'endpoint answered 500',
      delivered_at: null,
    });
    // No response body is kept anywhere.
    const stored = JSON.stringify([row, await attemptsOf(input.deliveryId)]);
    expect(stored).not.toContain('secret-internal-detail');
  });

  it("tracks the endpoint's health on the subscription: a retryable failure marks it failing once, a refusal does not, a success clears it", async () => {
    const first = await scenario('/health');
    const failingSince = async () =>
      (
        await db.query(`SELECT failing_since, version FROM webhook_subscriptions WHERE id = $1`, [
          first.subscription.id,
        ])
      )[0];
    const healthy = await failingSince();
    expect(healthy.failing_since).toBeNull();

    receiver.reply({ status: 400 });
    expect(await dispatch.deliver(first.input)).toMatchObject({ outcome: 'permanent' });
    expect(await failingSince()).toEqual(healthy);

    receiver.reply({ status: 503 });
    const before = Date.now();
    expect(await dispatch.deliver({ ...first.input, attempt: 2 })).toMatchObject({ outcome: 'retryable' });
    const failing = await failingSince();
    expect(failing.failing_since.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(failing.version).toBe(healthy.version + 1);

    // Further failures keep the first mark and write nothing.
    receiver.reply('hang');
    expect(await dispatch.deliver({ ...first.input, attempt: 3 })).toMatchObject({ outcome: 'retryable' });
    expect(await failingSince()).toEqual(failing);

    receiver.reply({ status: 204 });
    expect(await dispatch.deliver({ ...first.input, attempt: 4 })).toMatchObject({ outcome: 'delivered' });
    expect(await failingSince()).toEqual({ failing_since: null, version: failing.version + 1 });
  });

  it('marks an endpoint failing while an attempt still waits past WEBHOOK_SLOW_AFTER_MS; an answer takes the mark back, a timeout keeps it', async () => {
    const health = async (subscriptionId: string) =>
      (
        await db.query(`SELECT failing_since, consecutive_failures FROM webhook_subscriptions WHERE id = $1`, [
          subscriptionId,
        ])
      )[0];
    const markedWhileWaiting = async (subscriptionId: string, attempt: Promise<unknown>) => {
      const marked = await eventually(
        async () => (await health(subscriptionId)).failing_since ?? undefined,
        2_000,
        'failing mark during the attempt',
      );
      expect(receiver.received).toHaveLength(1);
      return { marked, result: await attempt };
    };

    // A slow success: marked while it waited, cleared by its own answer.
    const slowOk = await scenario('/slow-ok');
    receiver.reply({ status: 204, delayMs: 400 });
    const ok = await markedWhileWaiting(slowOk.subscription.id, dispatch.deliver(slowOk.input));
    expect(ok.result).toMatchObject({ outcome: 'delivered', statusCode: 204 });
    expect(await health(slowOk.subscription.id)).toEqual({ failing_since: null, consecutive_failures: 0 });

    // A slow refusal: the endpoint is up, so the mark goes too (the refusal is the run's business).
    receiver.received.length = 0;
    const slowNo = await scenario('/slow-no');
    receiver.reply({ status: 400, delayMs: 400 });
    const no = await markedWhileWaiting(slowNo.subscription.id, dispatch.deliver(slowNo.input));
    expect(no.result).toMatchObject({ outcome: 'permanent', statusCode: 400 });
    expect((await health(slowNo.subscription.id)).failing_since).toBeNull();

    // No answer at all: marked long before the timeout, and it stays marked.
    receiver.received.length = 0;
    const hung = await scenario('/hung');
    receiver.reply('hang');
    const started = Date.now();
    const timedOut = await markedWhileWaiting(hung.subscription.id, dispatch.deliver(hung.input));
    expect(new Date(timedOut.marked).getTime()).toBeLessThan(started + TIMEOUT_MS);
    expect(timedOut.result).toMatchObject({ outcome: 'retryable', statusCode: null });
    expect((await health(hung.subscription.id)).failing_since).toEqual(timedOut.marked);

    // A quick refusal marks nothing.
    const fast = await scenario('/fast');
    receiver.reply({ status: 400 });
    expect(await dispatch.deliver(fast.input)).toMatchObject({ outcome: 'permanent' });
    expect(await health(fast.subscription.id)).toEqual({ failing_since: null, consecutive_failures: 0 });
  });

  it('answers permanent on 400 and gone on 410', async () => {
    const bad = await scenario();
    receiver.reply({ status: 400 });
    expect(await dispatch.deliver(bad.input)).toEqual({
      outcome: 'permanent',
      statusCode: 400,
      retryAfterMs: null,
      error: 'endpoint answered 400',
    });
    const gone = await scenario();
    receiver.reply({ status: 410 });
    expect(await dispatch.deliver(gone.input)).toEqual({
      outcome: 'gone',
      statusCode: 410,
      retryAfterMs: null,
      error: 'endpoint answered 410 Gone',
    });
    expect((await attemptsOf(gone.input.deliveryId))[0]).toMatchObject({ outcome: 'gone', status_code: 410 });
  });

  it('answers retryable with retryAfterMs on 429 Retry-After: 2, and on 408 and 503', async () => {
    const { input } = await scenario();
    receiver.reply({ status: 429, headers: { 'retry-after': '2' } });
    const before = Date.now();
    expect(await dispatch.deliver(input)).toEqual({
      outcome: 'retryable',
      statusCode: 429,
      retryAfterMs: 2000,
      error: 'endpoint answered 429',
    });
    const row = await deliveryRow(input.deliveryId);
    expect(row.next_attempt_at.getTime()).toBeGreaterThanOrEqual(before + 2000 - 50);

    receiver.reply({ status: 503, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } });
    const unavailable = await dispatch.deliver({ ...input, attempt: 2 });
    expect(unavailable).toMatchObject({ outcome: 'retryable', statusCode: 503 });
    expect(unavailable.retryAfterMs).toBeGreaterThan(55_000);
    receiver.reply({ status: 408 });
    expect(await dispatch.deliver({ ...input, attempt: 3 })).toMatchObject({
      outcome: 'retryable',
      statusCode: 408,
      retryAfterMs: null,
    });
    expect((await attemptsOf(input.deliveryId)).map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(await deliveryRow(input.deliveryId)).toMatchObject({ attempts: 3, status: 'failed', last_status_code: 408 });
  });

  it('answers retryable when the receiver never answers, after WEBHOOK_TIMEOUT_MS', async () => {
    const { input } = await scenario();
    receiver.reply('hang');
    const started = Date.now();
    expect(await dispatch.deliver(input)).toEqual({
      outcome: 'retryable',
      statusCode: null,
      retryAfterMs: null,
      error: `no answer within ${TIMEOUT_MS} ms`,
    });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1500);
    const [attempt] = await attemptsOf(input.deliveryId);
    expect(attempt).toMatchObject({
      outcome: 'retryable',
      status_code: null,
      error: `no answer within ${TIMEOUT_MS} ms`,
    });
    expect(attempt!.duration_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
  });

  it('a shorter timeoutMs (the inline budget) bounds the attempt; running out below WEBHOOK_SLOW_AFTER_MS does not mark the endpoint failing, above it the slow mark stands', async () => {
    const failingSince = async (subscriptionId: string) =>
      (await db.query(`SELECT failing_since FROM webhook_subscriptions WHERE id = $1`, [subscriptionId]))[0]
        .failing_since;
    receiver.reply('hang');
    const short = await scenario();
    const budget = SLOW_AFTER_MS - 50;
    const started = Date.now();
    expect(await dispatch.deliver({ ...short.input, timeoutMs: budget })).toEqual({
      outcome: 'retryable',
      statusCode: null,
      retryAfterMs: null,
      error: `no answer within ${budget} ms`,
    });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(await attemptsOf(short.input.deliveryId)).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'retryable', error: `no answer within ${budget} ms` }),
    ]);
    expect(await deliveryRow(short.input.deliveryId)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await failingSince(short.subscription.id)).toBeNull();

    const longer = await scenario();
    const longerBudget = SLOW_AFTER_MS + 150;
    expect(await dispatch.deliver({ ...longer.input, timeoutMs: longerBudget })).toMatchObject({
      outcome: 'retryable',
      error: `no answer within ${longerBudget} ms`,
    });
    expect(await failingSince(longer.subscription.id)).toEqual(expect.any(Date));

    // Never longer than WEBHOOK_TIMEOUT_MS, and a malformed budget is refused.
    const capped = await scenario();
    expect(await dispatch.deliver({ ...capped.input, timeoutMs: TIMEOUT_MS * 10 })).toMatchObject({
      error: `no answer within ${TIMEOUT_MS} ms`,
    });
    await expect(dispatch.deliver({ ...capped.input, timeoutMs: 0 })).rejects.toThrow('timeoutMs');
  });

  it('does not follow a 302 redirect: permanent, and the target is never called', async () => {
    const { input } = await scenario('/moved');
    receiver.reply((request) =>
      request.path === '/moved' ? { status: 302, headers: { location: receiver.url('/target') } } : { status: 200 },
    );
    expect(await dispatch.deliver(input)).toEqual({
      outcome: 'permanent',
      statusCode: 302,
      retryAfterMs: null,
      error: 'endpoint answered 302: redirects are not followed',
    });
    expect(receiver.received.map((r) => r.path)).toEqual(['/moved']);
  });

  it('answers retryable on a network error (nothing listening)', async () => {
    const { input } = await scenario();
    await db.query(`UPDATE webhook_subscriptions SET url = 'http://127.0.0.1:1/hooks' WHERE id = $1`, [
      input.subscriptionId,
    ]);
    expect(await dispatch.deliver(input)).toMatchObject({
      outcome: 'retryable',
      statusCode: null,
      error: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('keeps webhook-id stable across attempts while the timestamp is taken per attempt', async () => {
    const { subscription, event, input } = await scenario();
    receiver.reply({ status: 500 });
    await dispatch.deliver(input);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    receiver.reply({ status: 204 });
    expect(await dispatch.deliver({ ...input, attempt: 2 })).toMatchObject({ outcome: 'delivered', statusCode: 204 });
    const [first, second] = receiver.received;
    expect(first!.headers['webhook-id']).toBe(event.id);
    expect(second!.headers['webhook-id']).toBe(event.id);
    expect(Number(second!.headers['webhook-timestamp'])).toBeGreaterThan(Number(first!.headers['webhook-timestamp']));
    expect(first!.body).toBe(second!.body);
    expect(first!.headers['webhook-signature']).not.toBe(second!.headers['webhook-signature']);
    for (const request of [first!, second!]) {
      expect(() =>
        new Webhook(subscription.secret).verify(request.body, {
          'webhook-id': String(request.headers['webhook-id']),
          'webhook-timestamp': String(request.headers['webhook-timestamp']),
          'webhook-signature': String(request.headers['webhook-signature']),
        }),
      ).not.toThrow();
    }
    expect((await attemptsOf(input.deliveryId)).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'retryable'],
      [2, 'delivered'],
    ]);
  });

  it('signs with the new secret only once the secret is rotated', async () => {
    const { subscription, input } = await scenario();
    const rotated = await moduleRef
      .get(RotateWebhookSubscriptionSecretHandler)
      .execute({ tenantId, id: subscription.id });
    await dispatch.deliver(input);
    const request = receiver.received[0]!;
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(() => new Webhook(rotated.secret).verify(request.body, headers)).not.toThrow();
    expect(() => new Webhook(subscription.secret).verify(request.body, headers)).toThrow();
  });

  it('answers inactive for a paused or deleted subscription, without a request or an attempt row', async () => {
    const paused = await scenario();
    await moduleRef
      .get(UpdateWebhookSubscriptionHandler)
      .execute({ tenantId, id: paused.subscription.id, active: false });
    expect(await dispatch.deliver(paused.input)).toMatchObject({
      outcome: 'inactive',
      statusCode: null,
      retryAfterMs: null,
      error: expect.stringContaining('not active'),
    });
    const deleted = await scenario();
    await db.query(`UPDATE webhook_subscriptions SET deleted_at = now() WHERE id = $1`, [deleted.subscription.id]);
    expect(await dispatch.deliver(deleted.input)).toMatchObject({
      outcome: 'inactive',
      error: expect.stringContaining('no longer exists'),
    });
    expect(receiver.received).toHaveLength(0);
    expect(await attemptsOf(paused.input.deliveryId)).toEqual([]);
    expect(await attemptsOf(deleted.input.deliveryId)).toEqual([]);
    expect(await deliveryRow(paused.input.deliveryId)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('re-checks the address at delivery time: a stored URL pointing at a blocked address is refused (permanent)', async () => {
    const { input } = await scenario();
    await db.query(`UPDATE webhook_subscriptions SET url = 'http://169.254.169.254/latest/meta-data' WHERE id = $1`, [
      input.subscriptionId,
    ]);
    expect(await dispatch.deliver(input)).toMatchObject({
      outcome: 'permanent',
      statusCode: null,
      error: expect.stringContaining('link-local'),
    });
    expect((await attemptsOf(input.deliveryId))[0]).toMatchObject({ outcome: 'permanent', status_code: null });
  });

  it('answers permanent when the event is no longer stored', async () => {
    const { event, input } = await scenario();
    await db.query(`DELETE FROM outbox_events WHERE id = $1`, [event.id]);
    expect(await dispatch.deliver(input)).toMatchObject({
      outcome: 'permanent',
      error: expect.stringContaining('no longer stored'),
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a delivery id of another subscription, event or tenant', async () => {
    const a = await scenario();
    const b = await scenario();
    await expect(dispatch.deliver({ ...a.input, deliveryId: b.input.deliveryId })).rejects.toThrow(
      WebhookDeliveryNotFoundError,
    );
    const other = (await createTenant(moduleRef, 'Other')).tenantId;
    expect(await dispatch.deliver({ ...a.input, tenantId: other })).toMatchObject({ outcome: 'inactive' });
    expect(receiver.received).toHaveLength(0);
  });
});
