import { register } from 'prom-client';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { type LogLevel, type LogMetadata, Runtime } from '@temporalio/worker';
import { webhookDeliveryWorkflowId } from '@app/workflows';
import {
  type ReceivedWebhook,
  type ReceiverReply,
  type TestWebhookReceiver,
  startTestWebhookReceiver,
} from '@app/webhook/testing';
import { freshWahaFixture } from '../fixtures/waha';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';
import { eventually } from '../support/nest';

/**
 * Outbound webhooks end to end: events written the real way (REST API, inbound WAHA traffic) go
 * outbox → relay → fan-out → inline first attempt (→ WebhookDeliveryWorkflow when it fails) → real
 * HTTP receivers on 127.0.0.1, with the whole system in process (API + worker on every queue, own
 * Temporal namespace, fresh database). Every test works in a tenant of its own, so subscriptions of
 * one test never see another's events.
 */
const INLINE_TIMEOUT_MS = 500;
const INLINE_MAX_PER_SUBSCRIPTION = 2;

describe('outbound webhooks (e2e)', () => {
  let h: ConversationHarness;
  const receivers: TestWebhookReceiver[] = [];
  /** Every signing secret issued in this suite (none may reach a workflow history). */
  const issuedSecrets: string[] = [];
  let phoneSeq = 0;

  interface Tenant {
    tenantId: string;
    apiKey: string;
  }
  interface Subscription {
    id: string;
    secret: string;
  }
  interface Payload {
    id: string;
    type: string;
    occurredAt: string;
    tenantId: string;
    data: Record<string, any>;
  }
  interface OutboxRow {
    id: string;
    type: string;
    payload: Record<string, any>;
    status: string;
  }

  beforeAll(async () => {
    // Failed attempts are what most tests are about: keep the SDK's "Activity failed" warning for
    // each expected failed delivery attempt out of the output (everything else is still logged).
    const logger = Runtime.instance().logger;
    const log = logger.log.bind(logger);
    logger.log = (level: LogLevel, message: string, meta?: LogMetadata) => {
      if (message === 'Activity failed' && meta?.activityType === 'deliverWebhook') return;
      log(level, message, meta);
    };
    h = await ConversationHarness.start('crm-webhooks', {
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS: String(INLINE_TIMEOUT_MS),
      WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION: String(INLINE_MAX_PER_SUBSCRIPTION),
      WEBHOOK_DISABLE_AFTER_FAILURES: '3',
      WEBHOOK_HELD_RELEASE_INTERVAL_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await h?.close();
  });

  /** A counter of this process's metrics (the harness's worker runs here). */
  const counter = async (name: string, labels: Record<string, string>): Promise<number> =>
    (await register.getSingleMetric(name)?.get())?.values.find((v) =>
      Object.entries(labels).every(([k, value]) => v.labels[k] === value),
    )?.value ?? 0;

  // ---- helpers -----------------------------------------------------------------------------

  const receiver = async (initial?: ReceiverReply) => {
    const r = await startTestWebhookReceiver(initial);
    receivers.push(r);
    return r;
  };

  const subscribe = async (tenant: Tenant, body: Record<string, unknown>): Promise<Subscription> => {
    const res = await h.call('POST', '/v1/webhook-subscriptions', { apiKey: tenant.apiKey, body });
    if (res.status !== 201) throw new Error(`subscription failed: ${res.status} ${JSON.stringify(res.body)}`);
    issuedSecrets.push(res.body.secret);
    return { id: res.body.id, secret: res.body.secret };
  };

  const getSubscription = async (tenant: Tenant, id: string) => {
    const res = await h.call('GET', `/v1/webhook-subscriptions/${id}`, { apiKey: tenant.apiKey });
    expect(res.status).toBe(200);
    return res.body;
  };

  const nextPhone = () =>
    `55219${String(Date.now() % 1_000_000).padStart(6, '0')}${String(++phoneSeq).padStart(2, '0')}`;

  /** Creates a contact through the API; answers it and the id of its contact.created event. */
  const createContact = async (tenant: Tenant, name = 'Ana'): Promise<{ contactId: string; eventId: string }> => {
    const res = await h.call('POST', '/v1/contacts', { apiKey: tenant.apiKey, body: { phone: nextPhone(), name } });
    expect(res.status).toBe(201);
    return { contactId: res.body.id, eventId: await eventIdOf(tenant, 'contact.created', res.body.id) };
  };

  /** The id of the (latest) outbox event of `type` about `aggregateId`. */
  const eventIdOf = async (tenant: Tenant, type: string, aggregateId: string): Promise<string> => {
    const rows = await h.query(
      `SELECT id FROM outbox_events WHERE tenant_id = $1 AND type = $2 AND aggregate_id = $3 ORDER BY created_at DESC LIMIT 1`,
      [tenant.tenantId, type, aggregateId],
    );
    if (!rows[0]) throw new Error(`no ${type} event for ${aggregateId}`);
    return rows[0].id;
  };

  const outboxEvents = (tenant: Tenant): Promise<OutboxRow[]> =>
    h.query(`SELECT id, type, payload, status FROM outbox_events WHERE tenant_id = $1 ORDER BY created_at, id`, [
      tenant.tenantId,
    ]);

  /** Waits until every outbox event of the tenant is published (so the fan-out of each has run). */
  const allPublished = (tenant: Tenant, timeoutMs = 20_000) =>
    eventually(
      async () => {
        const rows = await outboxEvents(tenant);
        return rows.length > 0 && rows.every((r) => r.status === 'published') ? rows : undefined;
      },
      timeoutMs,
      'every outbox event published',
    );

  const deliveries = async (tenant: Tenant, subscriptionId: string): Promise<any[]> => {
    const res = await h.call('GET', `/v1/webhook-subscriptions/${subscriptionId}/deliveries?limit=100`, {
      apiKey: tenant.apiKey,
    });
    expect(res.status).toBe(200);
    return res.body.data;
  };

  /** Waits until the delivery of `eventId` to the subscription has `status`; answers it (with its attempt log). */
  const waitForDelivery = (
    tenant: Tenant,
    subscriptionId: string,
    eventId: string,
    status: string,
    timeoutMs = 30_000,
  ) =>
    eventually(
      async () => (await deliveries(tenant, subscriptionId)).find((d) => d.eventId === eventId && d.status === status),
      timeoutMs,
      `delivery of ${eventId} ${status}`,
    );

  const receiptsOf = (r: TestWebhookReceiver, eventId: string) =>
    r.received.filter((req) => req.headers['webhook-id'] === eventId);
  const waitForReceipts = (r: TestWebhookReceiver, eventId: string, count: number, timeoutMs = 30_000) =>
    eventually(
      async () => (receiptsOf(r, eventId).length >= count ? receiptsOf(r, eventId) : undefined),
      timeoutMs,
      `${count} receipt(s) of ${eventId}`,
    );

  const payloadOf = (req: ReceivedWebhook): Payload => JSON.parse(req.body) as Payload;
  const verify = (secret: string, req: ReceivedWebhook): Payload =>
    new Webhook(secret).verify(req.body, req.headers as Record<string, string>) as Payload;

  const workflowOf = (subscriptionId: string, eventId: string) =>
    h.temporal.workflow.getHandle(webhookDeliveryWorkflowId(subscriptionId, eventId));
  /** No WebhookDeliveryWorkflow was ever started for the delivery (it went out inline). */
  const expectNoWorkflow = async (subscriptionId: string, eventId: string) => {
    await expect(workflowOf(subscriptionId, eventId).describe()).rejects.toMatchObject({
      name: 'WorkflowNotFoundError',
    });
  };
  /** Event types in the delivery workflow's history (patch markers, timers, activities). */
  const historyOf = async (subscriptionId: string, eventId: string) => {
    const history = await workflowOf(subscriptionId, eventId).fetchHistory();
    return (history.events ?? [])
      .map((e) => {
        if (e.markerRecordedEventAttributes) {
          const payload = e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data;
          return `marker ${payload ? (JSON.parse(Buffer.from(payload).toString()) as { id: string }).id : ''}`;
        }
        if (e.timerStartedEventAttributes) {
          const timeout = e.timerStartedEventAttributes.startToFireTimeout;
          return `timer ${Number(timeout?.seconds ?? 0) * 1000 + Math.round((timeout?.nanos ?? 0) / 1e6)}ms`;
        }
        if (e.activityTaskScheduledEventAttributes)
          return `activity ${e.activityTaskScheduledEventAttributes.activityType?.name}`;
        return null;
      })
      .filter((x): x is string => x !== null);
  };
  const gapMs = (a: ReceivedWebhook, b: ReceivedWebhook) => b.receivedAt.getTime() - a.receivedAt.getTime();

  const deliveryRows = (subscriptionId: string): Promise<{ event_id: string; event_type: string; status: string }[]> =>
    h.query(`SELECT event_id, event_type, status FROM webhook_deliveries WHERE subscription_id = $1`, [subscriptionId]);

  // ---- signing and payload -------------------------------------------------------------------

  it('signs per Standard Webhooks (verified by the official library); payload { id, type, occurredAt, tenantId, data }, webhook-id = event id', async () => {
    const tenant = await h.createTenant('Signing');
    const r = await receiver();
    const sub = await subscribe(tenant, { url: r.url('/crm'), eventTypes: ['contact.created'] });

    const { contactId, eventId } = await createContact(tenant, 'Signed Ana');
    const [req] = await waitForReceipts(r, eventId, 1);

    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/crm');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['webhook-id']).toBe(eventId);
    expect(req!.headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(req!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

    const verified = verify(sub.secret, req!);
    expect(Object.keys(verified)).toEqual(['id', 'type', 'occurredAt', 'tenantId', 'data']);
    expect(verified).toMatchObject({
      id: eventId,
      type: 'contact.created',
      tenantId: tenant.tenantId,
      data: { id: contactId, name: 'Signed Ana' },
    });
    expect(new Date(verified.occurredAt).toISOString()).toBe(verified.occurredAt);
    // The signature covers the exact bytes: a changed body or another secret does not verify.
    expect(() =>
      new Webhook(sub.secret).verify(
        req!.body.replace('Signed Ana', 'Forged Ana'),
        req!.headers as Record<string, string>,
      ),
    ).toThrow();
    const other = await subscribe(tenant, { url: r.url('/other'), eventTypes: ['contact.deleted'] });
    expect(() => verify(other.secret, req!)).toThrow();

    const [delivery] = await deliveries(tenant, sub.id);
    expect(delivery).toMatchObject({
      eventId,
      eventType: 'contact.created',
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
    });
    // A healthy endpoint is served by the fan-out's inline attempt: no workflow at all.
    await expectNoWorkflow(sub.id, eventId);
  });

  // ---- the inline first attempt and when a workflow takes over -----------------------------------

  it('500 once: the inline attempt fails, a WebhookDeliveryWorkflow waits the first backoff and delivers with attempt 2', async () => {
    const tenant = await h.createTenant('Inline then workflow');
    const r = await receiver();
    let calls = 0;
    r.reply(() => (++calls === 1 ? { status: 500 } : { status: 200 }));
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.created'] });

    const { eventId } = await createContact(tenant);
    const delivery = await waitForDelivery(tenant, sub.id, eventId, 'delivered');

    expect(delivery).toMatchObject({ attempts: 2, lastStatusCode: 200 });
    expect(delivery.attemptLog.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 500, 'retryable'],
      [2, 200, 'delivered'],
    ]);
    const [inline, retry] = receiptsOf(r, eventId);
    expect(receiptsOf(r, eventId)).toHaveLength(2);
    expect(retry!.headers['webhook-id']).toBe(inline!.headers['webhook-id']);
    // The run's first attempt is the schedule's first retry: after 1 s, not at once.
    expect(gapMs(inline!, retry!)).toBeGreaterThanOrEqual(900);
    expect(await h.workflowResult(webhookDeliveryWorkflowId(sub.id, eventId))).toEqual({
      deliveryId: delivery.id,
      status: 'delivered',
      attempts: 2,
    });
    expect(await historyOf(sub.id, eventId)).toEqual([
      'marker webhook-continues-inline-attempt',
      'timer 1000ms',
      'activity deliverWebhook',
      'marker webhook-delivered-in-attempt',
    ]);
    expect(await getSubscription(tenant, sub.id)).toMatchObject({ consecutiveFailures: 0, failingSince: null });
  });

  it('maxAttempts 2, always 500: exactly two attempts in all (inline, then one in the workflow), then the dead letter', async () => {
    const tenant = await h.createTenant('Attempts carried over');
    const r = await receiver({ status: 500 });
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.created'], maxAttempts: 2 });
    const deadBefore = await counter('crm_webhook_deliveries_total', { outcome: 'dead' });

    const { eventId } = await createContact(tenant);
    const dead = await waitForDelivery(tenant, sub.id, eventId, 'dead');
    // The worker (in this process) counted the dead letter (other tests' runs may end meanwhile).
    await eventually(
      async () =>
        (await counter('crm_webhook_deliveries_total', { outcome: 'dead' })) > deadBefore ? true : undefined,
      5_000,
      'the dead letter counted',
    );

    expect(dead).toMatchObject({ attempts: 2, lastStatusCode: 500 });
    expect(dead.attemptLog.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 500, 'retryable'],
      [2, 500, 'retryable'],
    ]);
    expect(await h.workflowResult(webhookDeliveryWorkflowId(sub.id, eventId))).toEqual({
      deliveryId: dead.id,
      status: 'dead',
      attempts: 2,
    });
    expect(receiptsOf(r, eventId)).toHaveLength(2);
    expect(gapMs(receiptsOf(r, eventId)[0]!, receiptsOf(r, eventId)[1]!)).toBeGreaterThanOrEqual(900);
    const failed = await h.query(
      `SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = 'webhook.delivery_failed'`,
      [tenant.tenantId],
    );
    expect(failed.map((e) => e.payload)).toEqual([expect.objectContaining({ deliveryId: dead.id, attempts: 2 })]);
    expect(await getSubscription(tenant, sub.id)).toMatchObject({ consecutiveFailures: 1, active: true });
  });

  it(`the per-subscription cap: a burst waits its turn for one of ${INLINE_MAX_PER_SUBSCRIPTION} inline slots and stays inline, no workflow, never more in flight at the endpoint`, async () => {
    const tenant = await h.createTenant('Inline cap');
    const r = await receiver({ status: 200, delayMs: 200 });
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.created'] });

    // Committed together, so the relay claims and publishes them at the same moment.
    const eventIds = Array.from({ length: 2 * INLINE_MAX_PER_SUBSCRIPTION + 1 }, () => randomUUID());
    await h.query(
      `INSERT INTO outbox_events (id, tenant_id, aggregate_type, aggregate_id, type, payload, occurred_at)
       SELECT id, $1, 'contact', id::text, 'contact.created', jsonb_build_object('id', id::text), now() FROM unnest($2::uuid[]) AS id`,
      [tenant.tenantId, eventIds],
    );
    for (const eventId of eventIds) await waitForDelivery(tenant, sub.id, eventId, 'delivered');

    for (const eventId of eventIds) {
      const description = await workflowOf(sub.id, eventId)
        .describe()
        .then(
          (d) => d,
          (err: Error) => {
            if (err.name !== 'WorkflowNotFoundError') throw err;
            return null;
          },
        );
      expect(description).toBeNull();
    }
    for (const d of (await deliveries(tenant, sub.id)).filter((x) => eventIds.includes(x.eventId))) {
      expect(d.attemptLog.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([[1, 200, 'delivered']]);
    }
    for (const eventId of eventIds) expect(receiptsOf(r, eventId)).toHaveLength(1);
    expect(r.maxConcurrent()).toBeLessThanOrEqual(INLINE_MAX_PER_SUBSCRIPTION);
  });

  it('a crash between the POST and its record: the outbox publishes the event again, its workflow sends it again, with the same webhook-id', async () => {
    const tenant = await h.createTenant('Crash');
    const r = await receiver();
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.created'] });
    // The first attempt record of this subscription fails after its POST went out (as a process dying there would leave it).
    const name = `e2e_crash_${sub.id.replace(/-/g, '')}`;
    await h.query(`CREATE SEQUENCE ${name}`);
    await h.query(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = NEW.delivery_id AND subscription_id = '${sub.id}') AND nextval('${name}') = 1 THEN
           RAISE EXCEPTION 'crashed between the POST and its record (e2e)';
         END IF;
         RETURN NEW;
       END $$`,
    );
    await h.query(
      `CREATE TRIGGER ${name} BEFORE INSERT ON webhook_delivery_attempts FOR EACH ROW EXECUTE FUNCTION ${name}()`,
    );
    try {
      const { eventId } = await createContact(tenant);
      const delivery = await waitForDelivery(tenant, sub.id, eventId, 'delivered');

      const receipts = receiptsOf(r, eventId);
      expect(receipts).toHaveLength(2);
      expect(new Set(r.received.map((req) => req.headers['webhook-id']))).toEqual(new Set([eventId]));
      for (const req of receipts) expect(verify(sub.secret, req).id).toBe(eventId);
      // The lost attempt left nothing behind; the workflow's attempt is the one on record.
      expect(delivery).toMatchObject({ attempts: 1, lastStatusCode: 200 });
      expect(delivery.attemptLog.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([
        [1, 200, 'delivered'],
      ]);
      expect(await h.workflowResult(webhookDeliveryWorkflowId(sub.id, eventId))).toMatchObject({ status: 'delivered' });
      const [event] = await h.query(`SELECT status, attempts, last_error FROM outbox_events WHERE id = $1`, [eventId]);
      // Published on the second try: the first publish failed with the lost record.
      expect(event).toMatchObject({ status: 'published', attempts: 1 });
    } finally {
      await h.query(`DROP TRIGGER ${name} ON webhook_delivery_attempts`);
      await h.query(`DROP FUNCTION ${name}()`);
      await h.query(`DROP SEQUENCE ${name}`);
    }
  });

  // ---- retries and outcomes ------------------------------------------------------------------

  it('500 three times then 200: delivered once, four attempts recorded, the same webhook-id on every attempt', async () => {
    const tenant = await h.createTenant('Retries');
    const r = await receiver();
    let calls = 0;
    r.reply(() => (++calls <= 3 ? { status: 500 } : { status: 200 }));
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.*'] });

    const { eventId } = await createContact(tenant);
    const delivery = await waitForDelivery(tenant, sub.id, eventId, 'delivered', 40_000);

    const receipts = receiptsOf(r, eventId);
    expect(receipts).toHaveLength(4);
    expect(receipts.map((req) => req.headers['webhook-id'])).toEqual([eventId, eventId, eventId, eventId]);
    for (const req of receipts) expect(verify(sub.secret, req).id).toBe(eventId); // each attempt signed anew (timestamps may differ)
    expect(r.received).toHaveLength(4); // exactly one 2xx receipt: the fourth
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 4,
      lastStatusCode: 200,
      lastError: null,
      deliveredAt: expect.any(String),
    });
    expect(delivery.attemptLog.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 500, 'retryable'],
      [2, 500, 'retryable'],
      [3, 500, 'retryable'],
      [4, 200, 'delivered'],
    ]);
    expect((await getSubscription(tenant, sub.id)).consecutiveFailures).toBe(0);
    // Attempt 1 was the inline one; the workflow made 2 to 4.
    expect(await h.workflowResult(webhookDeliveryWorkflowId(sub.id, eventId))).toMatchObject({
      status: 'delivered',
      attempts: 4,
    });
  });

  it('400: one attempt, the delivery is dead and webhook.delivery_failed is raised', async () => {
    const tenant = await h.createTenant('Refused');
    const r = await receiver({ status: 400 });
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.created'] });

    const { eventId } = await createContact(tenant);
    const dead = await waitForDelivery(tenant, sub.id, eventId, 'dead');

    expect(dead).toMatchObject({ attempts: 1, lastStatusCode: 400, lastError: expect.stringContaining('400') });
    expect(dead.attemptLog).toEqual([expect.objectContaining({ attempt: 1, statusCode: 400, outcome: 'permanent' })]);
    expect(receiptsOf(r, eventId)).toHaveLength(1);
    const failed = await h.query(
      `SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = 'webhook.delivery_failed'`,
      [tenant.tenantId],
    );
    expect(failed.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        subscriptionId: sub.id,
        deliveryId: dead.id,
        eventId,
        eventType: 'contact.created',
        attempts: 1,
        reason: expect.stringContaining('400'),
      }),
    ]);
    // One dead delivery counts, but is far from disabling the subscription.
    expect(await getSubscription(tenant, sub.id)).toMatchObject({
      active: true,
      consecutiveFailures: 1,
      disabledAt: null,
    });
  });

  it('429 with Retry-After: 3 waits at least that long before the next attempt, then delivers', async () => {
    const tenant = await h.createTenant('Throttled');
    const r = await receiver();
    let calls = 0;
    r.reply(() => (++calls === 1 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 }));
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.created'] });

    const { eventId } = await createContact(tenant);
    const delivery = await waitForDelivery(tenant, sub.id, eventId, 'delivered', 30_000);

    const [first, second] = receiptsOf(r, eventId);
    expect(receiptsOf(r, eventId)).toHaveLength(2);
    // The policy alone would retry after 1 s; Retry-After asks for 3 s (a little clock slack allowed).
    expect(second!.receivedAt.getTime() - first!.receivedAt.getTime()).toBeGreaterThanOrEqual(2_500);
    expect(delivery.attemptLog.map((a: any) => [a.statusCode, a.outcome])).toEqual([
      [429, 'retryable'],
      [200, 'delivered'],
    ]);
  });

  it("a receiver that does not answer: the inline attempt runs out of its budget, the workflow's attempts time out (WEBHOOK_TIMEOUT_MS) and are retried until it answers", async () => {
    const tenant = await h.createTenant('Silent');
    const r = await receiver();
    let calls = 0;
    r.reply(() => (++calls <= 2 ? 'hang' : { status: 204 }));
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.created'] });

    const { eventId } = await createContact(tenant);
    const delivery = await waitForDelivery(tenant, sub.id, eventId, 'delivered', 30_000);

    expect(receiptsOf(r, eventId)).toHaveLength(3);
    expect(delivery).toMatchObject({ attempts: 3, lastStatusCode: 204 });
    expect(delivery.attemptLog).toEqual([
      expect.objectContaining({
        attempt: 1,
        statusCode: null,
        outcome: 'retryable',
        error: `no answer within ${INLINE_TIMEOUT_MS} ms`,
      }),
      expect.objectContaining({
        attempt: 2,
        statusCode: null,
        outcome: 'retryable',
        error: 'no answer within 1000 ms',
      }),
      expect.objectContaining({ attempt: 3, statusCode: 204, outcome: 'delivered' }),
    ]);
    expect(delivery.attemptLog[0].durationMs).toBeGreaterThanOrEqual(INLINE_TIMEOUT_MS - 100);
    expect(delivery.attemptLog[0].durationMs).toBeLessThan(900);
    expect(delivery.attemptLog[1].durationMs).toBeGreaterThanOrEqual(900);
    expect(await h.workflowResult(webhookDeliveryWorkflowId(sub.id, eventId))).toMatchObject({
      status: 'delivered',
      attempts: 3,
    });
  });

  it('410: the subscription is disabled (disabledAt, reason) after one attempt', async () => {
    const tenant = await h.createTenant('Gone');
    const r = await receiver({ status: 410 });
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.*'] });

    const { eventId } = await createContact(tenant);
    const dead = await waitForDelivery(tenant, sub.id, eventId, 'dead');
    expect(dead.attemptLog).toEqual([expect.objectContaining({ attempt: 1, statusCode: 410, outcome: 'gone' })]);

    const disabled = await getSubscription(tenant, sub.id);
    expect(disabled).toMatchObject({
      active: false,
      disabledAt: expect.any(String),
      disabledReason: expect.stringContaining('410'),
    });
    const events = await h.query(
      `SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = 'webhook.subscription_disabled'`,
      [tenant.tenantId],
    );
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ subscriptionId: sub.id, reason: disabled.disabledReason }),
    ]);

    // Disabled: a later event is not delivered to it at all.
    const later = await createContact(tenant);
    await allPublished(tenant);
    expect((await deliveryRows(sub.id)).map((d) => d.event_id)).not.toContain(later.eventId);
    expect(r.received).toHaveLength(1);
  });

  it('N dead deliveries in a row disable the subscription; the failure notices reach another webhook.* subscription, never the failing one; a success resets the count', async () => {
    const tenant = await h.createTenant('Failing');
    const failing = await receiver({ status: 500 });
    const watcher = await receiver();
    // '*' on the failing one: only the self-exclusion keeps the notices about it away from it.
    const sub = await subscribe(tenant, { url: failing.url(), eventTypes: ['*'], maxAttempts: 1 });
    const watch = await subscribe(tenant, { url: watcher.url(), eventTypes: ['webhook.*'] });

    const deadOne = async () => {
      const { eventId } = await createContact(tenant);
      return (await waitForDelivery(tenant, sub.id, eventId, 'dead')).id as string;
    };

    const deadIds = [await deadOne(), await deadOne()];
    expect(await getSubscription(tenant, sub.id)).toMatchObject({ active: true, consecutiveFailures: 2 });

    // A success in between: the count goes back to 0.
    failing.reply({ status: 200 });
    const ok = await createContact(tenant);
    await waitForDelivery(tenant, sub.id, ok.eventId, 'delivered');
    // (The inline attempt marks the delivery delivered and resets the count in one transaction.)
    await eventually(
      async () => ((await getSubscription(tenant, sub.id)).consecutiveFailures === 0 ? true : undefined),
      10_000,
      'failure count reset',
    );
    expect(await getSubscription(tenant, sub.id)).toMatchObject({ active: true, consecutiveFailures: 0 });

    failing.reply({ status: 500 });
    deadIds.push(await deadOne(), await deadOne());
    expect(await getSubscription(tenant, sub.id)).toMatchObject({
      active: true,
      consecutiveFailures: 2,
      disabledAt: null,
    });
    deadIds.push(await deadOne()); // the third in a row (WEBHOOK_DISABLE_AFTER_FAILURES=3)
    const disabled = await getSubscription(tenant, sub.id);
    expect(disabled).toMatchObject({ active: false, consecutiveFailures: 3, disabledAt: expect.any(String) });
    expect(disabled.disabledReason).toContain('3 consecutive deliveries failed');

    // The watcher receives a delivery_failed per dead delivery and one subscription_disabled, signed with its own secret.
    const notices = await eventually(
      async () => {
        const got = watcher.received.map((req) => verify(watch.secret, req));
        return got.filter((p) => p.type === 'webhook.delivery_failed').length >= 5 &&
          got.some((p) => p.type === 'webhook.subscription_disabled')
          ? got
          : undefined;
      },
      30_000,
      'failure notices at the watcher',
    );
    const failedNotices = notices.filter((p) => p.type === 'webhook.delivery_failed');
    expect(failedNotices.map((p) => p.data.deliveryId).sort()).toEqual([...deadIds].sort());
    for (const p of failedNotices)
      expect(p.data).toMatchObject({ subscriptionId: sub.id, eventType: 'contact.created', attempts: 1 });
    expect(notices.filter((p) => p.type === 'webhook.subscription_disabled').map((p) => p.data)).toEqual([
      expect.objectContaining({ subscriptionId: sub.id, consecutiveFailures: 3, reason: disabled.disabledReason }),
    ]);

    // ...and never the failing subscription: no delivery of a webhook.* event was even planned for it.
    await allPublished(tenant);
    expect((await deliveryRows(sub.id)).filter((d) => d.event_type.startsWith('webhook.'))).toEqual([]);
    expect(failing.received.map((req) => payloadOf(req).type).filter((t) => t.startsWith('webhook.'))).toEqual([]);
    expect((await getSubscription(tenant, watch.id)).consecutiveFailures).toBe(0);
  });

  // ---- replay and re-enable --------------------------------------------------------------------

  it('replays a dead delivery with the same webhook-id; replay?since re-delivers the failed ones once the subscription is enabled again', async () => {
    const tenant = await h.createTenant('Replay');
    const startedAt = new Date(Date.now() - 1_000).toISOString();
    const r = await receiver({ status: 503 });
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.created'], maxAttempts: 1 });

    const events = [await createContact(tenant), await createContact(tenant), await createContact(tenant)];
    const dead = [];
    for (const { eventId } of events) dead.push(await waitForDelivery(tenant, sub.id, eventId, 'dead'));
    expect(await getSubscription(tenant, sub.id)).toMatchObject({ active: false, consecutiveFailures: 3 });

    // Disabled: replays are refused until it is enabled again.
    const since = encodeURIComponent(startedAt);
    expect(
      (await h.call('POST', `/v1/webhook-subscriptions/${sub.id}/replay?since=${since}`, { apiKey: tenant.apiKey }))
        .status,
    ).toBe(422);
    const enabled = await h.call('POST', `/v1/webhook-subscriptions/${sub.id}/enable`, { apiKey: tenant.apiKey });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({
      active: true,
      consecutiveFailures: 0,
      disabledAt: null,
      disabledReason: null,
    });

    r.reply({ status: 200 });
    // One dead delivery, replayed on its own.
    const one = await h.call('POST', `/v1/webhook-deliveries/${dead[0].id}/replay`, { apiKey: tenant.apiKey });
    expect(one.status).toBe(202);
    expect(one.body).toMatchObject({ id: dead[0].id, status: 'pending', attempts: 0 });
    const replayed = await waitForDelivery(tenant, sub.id, events[0]!.eventId, 'delivered');
    expect(replayed.attemptLog.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 503, 'retryable'],
      [2, 200, 'delivered'],
    ]);
    const firstReceipts = receiptsOf(r, events[0]!.eventId);
    expect(firstReceipts).toHaveLength(2);
    expect(verify(sub.secret, firstReceipts[1]!).id).toBe(events[0]!.eventId);

    // The rest, by time: the two still dead ones, nothing else.
    const bulk = await h.call('POST', `/v1/webhook-subscriptions/${sub.id}/replay?since=${since}`, {
      apiKey: tenant.apiKey,
    });
    expect(bulk.status).toBe(202);
    expect(bulk.body).toEqual({ count: 2, skipped: 0 });
    for (const { eventId } of events.slice(1)) {
      await waitForDelivery(tenant, sub.id, eventId, 'delivered');
      const receipts = receiptsOf(r, eventId);
      expect(receipts.map((req) => req.headers['webhook-id'])).toEqual([eventId, eventId]);
      expect(verify(sub.secret, receipts[1]!).id).toBe(eventId);
    }
    expect(r.received).toHaveLength(6);
    expect(await getSubscription(tenant, sub.id)).toMatchObject({ active: true, consecutiveFailures: 0 });
  });

  // ---- at most one delivery per (subscription, event) -------------------------------------------

  it("held deliveries: while an endpoint is failing its new events are held (no workflow), a healthy endpoint's go at once; its recovery releases them", async () => {
    const tenant = await h.createTenant('Held');
    const down = await receiver({ status: 503 });
    const up = await receiver();
    const failing = await subscribe(tenant, { url: down.url(), eventTypes: ['contact.created'] });
    const healthy = await subscribe(tenant, { url: up.url(), eventTypes: ['contact.created'] });

    const first = await createContact(tenant, 'Before the outage showed');
    await waitForReceipts(down, first.eventId, 1);
    const marked = await eventually(
      async () => (await getSubscription(tenant, failing.id)).failingSince ?? undefined,
      10_000,
      'failingSince set',
    );
    expect(new Date(marked).getTime()).not.toBeNaN();
    // Its inline attempt failed (and marked the endpoint): a workflow retries it. The healthy one needed none.
    await eventually(
      async () =>
        (await workflowOf(failing.id, first.eventId)
          .describe()
          .catch(() => undefined)) ?? undefined,
      10_000,
      'the retrying workflow',
    );
    await waitForDelivery(tenant, healthy.id, first.eventId, 'delivered');
    await expectNoWorkflow(healthy.id, first.eventId);

    // The first event's run retries; new events to the failing endpoint wait without a run, and get no inline attempt.
    const during = [await createContact(tenant, 'During the outage'), await createContact(tenant, 'Still down')];
    for (const { eventId } of during) {
      await waitForDelivery(tenant, healthy.id, eventId, 'delivered');
      expect(receiptsOf(up, eventId)).toHaveLength(1);
      await expectNoWorkflow(healthy.id, eventId);
      const held = await waitForDelivery(tenant, failing.id, eventId, 'held');
      expect(held).toMatchObject({ attempts: 0, attemptLog: [] });
      expect(receiptsOf(down, eventId)).toEqual([]);
      await expectNoWorkflow(failing.id, eventId);
    }
    const res = await h.call('GET', `/v1/webhook-subscriptions/${failing.id}/deliveries?status=held`, {
      apiKey: tenant.apiKey,
    });
    expect(res.body.data.map((d: any) => d.eventId).sort()).toEqual(during.map((e) => e.eventId).sort());

    // The endpoint recovers: the first event's retry succeeds, clears the mark, and the release starts the held ones.
    down.reply({ status: 204 });
    await waitForDelivery(tenant, failing.id, first.eventId, 'delivered');
    for (const { eventId } of during) {
      const delivered = await waitForDelivery(tenant, failing.id, eventId, 'delivered');
      expect(delivered.attemptLog.map((a: any) => [a.statusCode, a.outcome])).toEqual([[204, 'delivered']]);
      expect(receiptsOf(down, eventId)).toHaveLength(1);
    }
    expect(await getSubscription(tenant, failing.id)).toMatchObject({
      failingSince: null,
      consecutiveFailures: 0,
      active: true,
    });
  });

  it("probing: a failing endpoint with no run under way gets its oldest held delivery as the one probe; the probe's success releases the rest", async () => {
    const tenant = await h.createTenant('Probe');
    const down = await receiver({ status: 503 });
    const sub = await subscribe(tenant, { url: down.url(), eventTypes: ['contact.created'], maxAttempts: 2 });

    const first = await createContact(tenant, 'Dies');
    await waitForReceipts(down, first.eventId, 1);
    await eventually(
      async () => (await getSubscription(tenant, sub.id)).failingSince ?? undefined,
      10_000,
      'failingSince set',
    );
    const held = [await createContact(tenant, 'Held A'), await createContact(tenant, 'Held B')];
    for (const { eventId } of held) await waitForDelivery(tenant, sub.id, eventId, 'held');

    // The first run dies (2 attempts); then one held delivery probes, alone (the oldest fan-out; the
    // relay may fan out both events of a batch at the same moment, so either may be it).
    await waitForDelivery(tenant, sub.id, first.eventId, 'dead');
    const probeIndex = await eventually(
      async () => {
        const index = held.findIndex(({ eventId }) => receiptsOf(down, eventId).length > 0);
        return index >= 0 ? index : undefined;
      },
      10_000,
      'a probe',
    );
    const probe = held[probeIndex]!;
    const waiting = held[1 - probeIndex]!;
    expect((await deliveries(tenant, sub.id)).find((d) => d.eventId === waiting.eventId)).toMatchObject({
      status: 'held',
      attempts: 0,
    });
    expect(receiptsOf(down, waiting.eventId)).toEqual([]);

    // The probe's retry gets through: the mark is cleared and the other one follows.
    down.reply({ status: 204 });
    const probed = await waitForDelivery(tenant, sub.id, probe.eventId, 'delivered');
    expect(probed.attemptLog.map((a: any) => a.statusCode)).toEqual([503, 204]);
    const released = await waitForDelivery(tenant, sub.id, waiting.eventId, 'delivered');
    expect(released.attemptLog.map((a: any) => a.statusCode)).toEqual([204]);
    expect(receiptsOf(down, waiting.eventId)[0]!.receivedAt.getTime()).toBeGreaterThanOrEqual(
      receiptsOf(down, probe.eventId)[1]!.receivedAt.getTime(),
    );
    expect(await getSubscription(tenant, sub.id)).toMatchObject({
      failingSince: null,
      consecutiveFailures: 0,
      active: true,
    });
  });

  it('a re-published event (outbox row back to pending, or failed and retried through the API) does not deliver twice', async () => {
    const tenant = await h.createTenant('Republish');
    const r = await receiver();
    const sub = await subscribe(tenant, { url: r.url(), eventTypes: ['contact.created'] });
    const { eventId } = await createContact(tenant);
    await waitForDelivery(tenant, sub.id, eventId, 'delivered');
    await expectNoWorkflow(sub.id, eventId);

    const republished = () =>
      eventually(
        async () => {
          const [row] = await h.query(`SELECT status, published_at FROM outbox_events WHERE id = $1`, [eventId]);
          return row.status === 'published' && row.published_at !== null ? row : undefined;
        },
        20_000,
        'event published again',
      );

    // 1. Straight back to pending (as a lost lease or a crashed relay would leave it).
    await h.query(
      `UPDATE outbox_events SET status = 'pending', published_at = NULL, next_attempt_at = now(), locked_until = NULL WHERE id = $1`,
      [eventId],
    );
    await h.query(`SELECT pg_notify('outbox_events', '')`);
    await republished();

    // 2. Marked failed, then retried by an operator through the API.
    await h.query(
      `UPDATE outbox_events SET status = 'failed', published_at = NULL, next_attempt_at = now() + interval '1 hour' WHERE id = $1`,
      [eventId],
    );
    const retried = await h.call('POST', `/v1/outbox/events/${eventId}/retry`, { apiKey: tenant.apiKey });
    expect(retried.status).toBe(200);
    await republished();

    // Each re-publish ran the fan-out to its end; it found the delivery delivered and neither sent
    // it again nor started a workflow.
    expect(await deliveryRows(sub.id)).toEqual([
      { event_id: eventId, event_type: 'contact.created', status: 'delivered' },
    ]);
    await expectNoWorkflow(sub.id, eventId);
    const [delivery] = await deliveries(tenant, sub.id);
    expect(delivery).toMatchObject({ attempts: 1, status: 'delivered' });
    expect(delivery.attemptLog).toHaveLength(1);
    expect(receiptsOf(r, eventId)).toHaveLength(1);
  });

  // ---- routing -----------------------------------------------------------------------------------

  it('filters: exact, *, prefix patterns and the channel filter each receive exactly what they should', async () => {
    const tenant = await h.createTenant('Filters');
    const channelA: HarnessChannel = await h.createChannel(tenant.apiKey, {
      wahaSession: `a-${randomUUID().slice(0, 6)}`,
    });
    // Events from before the subscriptions (channel A's channel.created) must be out of the way first.
    const before = new Set((await allPublished(tenant)).map((e) => e.id));

    const patterns: Record<string, { eventTypes: string[]; channelId?: string }> = {
      exact: { eventTypes: ['contact.created'] },
      all: { eventTypes: ['*'] },
      contacts: { eventTypes: ['contact.*'] },
      channels: { eventTypes: ['channel.*'] },
      sessions: { eventTypes: ['session.*'] },
      mixed: { eventTypes: ['contact.deleted', 'message.*'] },
      channelA: { eventTypes: ['*'], channelId: channelA.id },
    };
    const subs: Record<string, { sub: Subscription; r: TestWebhookReceiver; filter: (typeof patterns)[string] }> = {};
    for (const [name, filter] of Object.entries(patterns)) {
      const r = await receiver();
      subs[name] = { sub: await subscribe(tenant, { url: r.url(`/${name}`), ...filter }), r, filter };
    }

    // contact.created/updated/deleted through the API, channel.created for a second channel, and
    // inbound WhatsApp messages on both channels (contact.created, session.started, message.created with data.channelId).
    const { contactId } = await createContact(tenant, 'Filtered');
    expect(
      (await h.call('PATCH', `/v1/contacts/${contactId}`, { apiKey: tenant.apiKey, body: { name: 'Filtered Again' } }))
        .status,
    ).toBe(200);
    expect((await h.call('DELETE', `/v1/contacts/${contactId}`, { apiKey: tenant.apiKey })).status).toBe(204);
    const channelB = await h.createChannel(tenant.apiKey, { wahaSession: `b-${randomUUID().slice(0, 6)}` });
    for (const channel of [channelA, channelB]) {
      const res = await h.postWebhook(
        channel,
        freshWahaFixture('webhook-message-text', {
          rawId: `AC${randomUUID().replace(/-/g, '').slice(0, 30).toUpperCase()}`,
        }),
      );
      expect(res.status).toBe(202);
      await h.workflowResult(res.body.workflowId);
    }

    const routes = (filter: (typeof patterns)[string], e: OutboxRow) =>
      filter.eventTypes.some(
        (p) => p === '*' || p === e.type || (p.endsWith('.*') && e.type.startsWith(p.slice(0, -1))),
      ) &&
      (filter.channelId === undefined || e.payload.channelId === filter.channelId);

    // Expected per subscription = every event since, routed by the rules; compared with the planned
    // deliveries (rows) and with what each receiver got (webhook-ids), once everything has settled.
    const settled = async () => {
      const events = (await allPublished(tenant)).filter((e) => !before.has(e.id));
      const outcome: Record<string, { expected: string[]; planned: string[]; received: string[] }> = {};
      for (const [name, { sub, r, filter }] of Object.entries(subs)) {
        outcome[name] = {
          expected: events
            .filter((e) => routes(filter, e))
            .map((e) => `${e.type} ${e.id}`)
            .sort(),
          planned: (await deliveryRows(sub.id)).map((d) => `${d.event_type} ${d.event_id}`).sort(),
          received: r.received.map((req) => `${payloadOf(req).type} ${String(req.headers['webhook-id'])}`).sort(),
        };
      }
      return outcome;
    };
    const outcome = await eventually(
      async () => {
        const o = await settled();
        return Object.values(o).every(
          (x) => x.expected.join() === x.planned.join() && x.expected.join() === x.received.join(),
        )
          ? o
          : undefined;
      },
      30_000,
      'every subscription received what it routes to',
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await settled(), null, 1)}`);
    });

    const typesOf = (name: string) => new Set(outcome[name]!.expected.map((x) => x.split(' ')[0]));
    expect(typesOf('exact')).toEqual(new Set(['contact.created']));
    expect(outcome.exact!.expected).toHaveLength(2); // the API's contact and the WhatsApp sender
    expect(typesOf('contacts')).toEqual(new Set(['contact.created', 'contact.updated', 'contact.deleted']));
    expect(typesOf('channels')).toEqual(new Set(['channel.created']));
    expect(typesOf('sessions')).toEqual(new Set(['session.started']));
    expect(outcome.sessions!.expected).toHaveLength(2); // one session per channel
    expect(typesOf('mixed')).toEqual(new Set(['contact.deleted', 'message.created']));
    expect(typesOf('all')).toEqual(
      new Set([
        'contact.created',
        'contact.updated',
        'contact.deleted',
        'channel.created',
        'session.started',
        'message.created',
      ]),
    );
    // The channel filter: only channel A's session and message; no contact or channel events (they carry no channelId).
    expect(typesOf('channelA')).toEqual(new Set(['session.started', 'message.created']));
    for (const req of subs.channelA!.r.received)
      expect(verify(subs.channelA!.sub.secret, req).data.channelId).toBe(channelA.id);
    expect(subs.sessions!.r.received.map((req) => payloadOf(req).data.channelId).sort()).toEqual(
      [channelA.id, channelB.id].sort(),
    );
  });

  it("tenant A's events never reach tenant B's subscription", async () => {
    const a = await h.createTenant('Tenant A');
    const b = await h.createTenant('Tenant B');
    const ra = await receiver();
    const rb = await receiver();
    const subA = await subscribe(a, { url: ra.url(), eventTypes: ['*'] });
    const subB = await subscribe(b, { url: rb.url(), eventTypes: ['*'] });

    const eventsA = [await createContact(a), await createContact(a)];
    const eventB = await createContact(b);
    for (const { eventId } of eventsA) await waitForReceipts(ra, eventId, 1);
    await waitForReceipts(rb, eventB.eventId, 1);
    await allPublished(a);
    await allPublished(b);

    expect(ra.received.map((req) => verify(subA.secret, req).tenantId)).toEqual([a.tenantId, a.tenantId]);
    expect(rb.received.map((req) => verify(subB.secret, req))).toEqual([
      expect.objectContaining({ id: eventB.eventId, tenantId: b.tenantId }),
    ]);
    expect((await deliveryRows(subB.id)).map((d) => d.event_id)).toEqual([eventB.eventId]);
    expect((await deliveryRows(subA.id)).map((d) => d.event_id).sort()).toEqual(eventsA.map((e) => e.eventId).sort());
    // Nor can B look at A's subscription or its deliveries.
    expect((await h.call('GET', `/v1/webhook-subscriptions/${subA.id}/deliveries`, { apiKey: b.apiKey })).status).toBe(
      404,
    );
  });

  // ---- SSRF guard ----------------------------------------------------------------------------

  it.each([
    ['http://169.254.169.254/latest/meta-data', 'link-local'],
    ['http://10.0.0.1/', 'a private address (10.0.0.0/8)'],
    ['https://[::1]/', 'loopback'],
    ['http://127.0.0.2:9/', 'loopback'], // only 127.0.0.1/32 is allow-listed here
  ])('refuses %s with a 400 naming url', async (url, reason) => {
    const tenant = await h.createTenant('Blocked');
    const res = await h.call('POST', '/v1/webhook-subscriptions', {
      apiKey: tenant.apiKey,
      body: { url, eventTypes: ['*'] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'url' });
    expect(res.body.message).toContain(reason);
    expect(
      (await h.query(`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE tenant_id = $1`, [tenant.tenantId]))[0]
        .n,
    ).toBe(0);
  });

  // ---- test events -----------------------------------------------------------------------------

  it('POST /v1/webhook-subscriptions/{id}/test sends webhook.test to that subscription only, whatever its filter', async () => {
    const tenant = await h.createTenant('Test events');
    const r1 = await receiver();
    const r2 = await receiver();
    const target = await subscribe(tenant, { url: r1.url(), eventTypes: ['contact.deleted'] });
    const bystander = await subscribe(tenant, { url: r2.url(), eventTypes: ['*'] });

    const res = await h.call('POST', `/v1/webhook-subscriptions/${target.id}/test`, {
      apiKey: tenant.apiKey,
      body: { message: 'ping from e2e' },
    });
    expect(res.status).toBe(202);
    const { eventId } = res.body;
    const [req] = await waitForReceipts(r1, eventId, 1);
    expect(verify(target.secret, req!)).toMatchObject({
      id: eventId,
      type: 'webhook.test',
      tenantId: tenant.tenantId,
      data: { subscriptionId: target.id, message: 'ping from e2e' },
    });
    await waitForDelivery(tenant, target.id, eventId, 'delivered');

    await allPublished(tenant);
    expect(await deliveryRows(bystander.id)).toEqual([]);
    expect(r2.received).toEqual([]);
  });

  // ---- secrets stay out of Temporal -------------------------------------------------------------

  it('no signing secret (nor a token in the URL) appears in any delivery workflow history', async () => {
    const tenant = await h.createTenant('Histories');
    const token = `tok_${randomUUID().replace(/-/g, '')}`;
    const r = await receiver();
    let calls = 0;
    r.reply(() => (++calls === 1 ? { status: 500 } : { status: 200 }));
    const sub = await subscribe(tenant, { url: r.url(`/hooks?token=${token}`), eventTypes: ['contact.created'] });
    // A rotated secret signs the retry; both must stay out of the history.
    const { eventId } = await createContact(tenant);
    await waitForReceipts(r, eventId, 1);
    const rotated = await h.call('POST', `/v1/webhook-subscriptions/${sub.id}/rotate-secret`, {
      apiKey: tenant.apiKey,
    });
    expect(rotated.status).toBe(200);
    issuedSecrets.push(rotated.body.secret);
    await waitForDelivery(tenant, sub.id, eventId, 'delivered');
    const receipts = receiptsOf(r, eventId);
    expect(receipts[1]!.path).toBe(`/hooks?token=${token}`);
    expect(verify(rotated.body.secret, receipts[1]!).id).toBe(eventId);

    // Every delivery workflow this suite ran (all tenants; deliveries that went out inline have
    // none): every run the namespace lists (replays leave the earlier, terminated run behind), this
    // test's retry among them.
    const runs = new Map<string, { workflowId: string; runId?: string; eventId: string }>();
    const ownWorkflowId = webhookDeliveryWorkflowId(sub.id, eventId);
    runs.set(ownWorkflowId, { workflowId: ownWorkflowId, eventId });
    for await (const execution of h.temporal.workflow.list({ query: `WorkflowType = 'WebhookDeliveryWorkflow'` })) {
      runs.set(`${execution.workflowId}/${execution.runId}`, {
        workflowId: execution.workflowId,
        runId: execution.runId,
        eventId: execution.workflowId.split(':')[2]!,
      });
    }
    expect([...runs.values()].filter((run) => run.workflowId === ownWorkflowId).length).toBeGreaterThanOrEqual(2);
    const needles = [token, ...issuedSecrets.flatMap((s) => [s, s.slice('whsec_'.length)])];
    // Payload bytes (inputs, results, failures) are shown decoded, so a secret inside one would be found.
    const bytesAsText = (_key: string, value: unknown) => {
      if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
      if (
        value &&
        typeof value === 'object' &&
        (value as { type?: unknown }).type === 'Buffer' &&
        Array.isArray((value as { data?: unknown }).data)
      ) {
        return Buffer.from((value as { data: number[] }).data).toString('utf8');
      }
      return value;
    };
    let checked = 0;
    for (const run of runs.values()) {
      const history = await h.temporal.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const raw = JSON.stringify(history);
      const decoded = JSON.stringify(history, bytesAsText);
      expect(decoded).toContain(run.eventId); // the decoding works: the (ids-only) input is readable
      for (const needle of needles) {
        expect(raw.includes(needle) ? needle : null).toBeNull();
        expect(decoded.includes(needle) ? needle : null).toBeNull();
      }
      checked += 1;
    }
    expect(checked).toBe(runs.size);
  });
});
