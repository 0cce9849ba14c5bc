import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { register } from 'prom-client';
import {
  ConversationRolledBackError,
  type InboundMessage,
  InboundConversationSteps,
  parseWahaEvent,
} from '@app/inbound';
import { UnitOfWork } from '@app/shared';
import {
  activitiesOf,
  InboundActivities,
  inboundMessageWorkflowId,
  type ProcessInboundMessageResult,
} from '@app/workflows';
import { freshWahaFixture, type FixtureJson, type WahaFixture } from '../../fixtures/waha';
import { ConversationHarness, type HarnessChannel } from '../../support/conversation-harness';
import { eventually } from '../../support/nest';
import { rejection } from '@app/session/testing';
import { TestEnv } from '../../support/test-env';

type Activities = Record<string, (...args: unknown[]) => Promise<unknown>>;
type SagaOutcome = { result: ProcessInboundMessageResult; error?: undefined } | { result?: undefined; error: unknown };

/**
 * ProcessInboundMessageSaga against the real dev server and PostgreSQL, with the real activities:
 * the whole system runs in the harness (its worker serves `sessions`, where the lifecycle
 * workflows run), and each case runs the saga on its own task queue whose worker has ONE activity
 * replaced. A failed step is injected AFTER the real step committed its rows (the saga sees a
 * failure for work that is in the database: the hardest case for compensation).
 */
describe('ProcessInboundMessageSaga compensation (real Temporal dev server, real PostgreSQL)', () => {
  let h: ConversationHarness;
  let tenant: { tenantId: string; apiKey: string };
  let channel: HarnessChannel;
  let nativeConnection: NativeConnection;
  let real: Activities;
  let phones = 0;

  beforeAll(async () => {
    h = await ConversationHarness.start('crm-saga');
    tenant = await h.createTenant();
    channel = await h.createChannel(tenant.apiKey);
    real = activitiesOf(h.worker.get(InboundActivities));
    nativeConnection = await NativeConnection.connect({ address: TestEnv.temporalAddress() });
  });
  afterAll(async () => {
    await nativeConnection?.close();
    await h?.close();
  });

  /** A phone number no other case uses (the contact, session and message are then this case's alone). */
  const newPhone = () => `55119880${String((phones += 1)).padStart(5, '0')}`;

  /** A re-dated fixture from `phone`, and the message the receiver would hand to the saga. */
  const inbound = (
    phone: string,
    fixture: WahaFixture = 'webhook-message-text',
  ): { body: FixtureJson; message: InboundMessage } => {
    const body = freshWahaFixture(fixture, { rawId: `AC${randomUUID().replace(/-/g, '').toUpperCase()}` });
    body.payload.id = (body.payload.id as string).replace('5511999990001', phone);
    const event = parseWahaEvent(body);
    if (event.kind !== 'message') throw new Error(`fixture ${fixture} is not a message: ${event.kind}`);
    return { body, message: event.message };
  };

  /** The real activity, then a non-retryable failure: its rows are committed but the saga sees a failure. */
  const failAfter = (name: string): Activities => ({
    [name]: async (...args: unknown[]) => {
      await real[name]!(...args);
      throw ApplicationFailure.nonRetryable(`injected after ${name}`, 'InjectedFailure');
    },
  });
  /** An optional step that always fails (retryably: the saga's retry policy gives up on it). */
  const alwaysFailing = (name: string): Activities => ({
    [name]: async () => {
      throw new Error(`${name} is down`);
    },
  });

  /** Runs the saga (id as the receiver would give it) on a task queue of its own with `overrides`. */
  const runSaga = async (
    message: InboundMessage,
    overrides: Activities,
  ): Promise<SagaOutcome & { workflowId: string }> => {
    const taskQueue = `inbound-saga-test-${randomUUID()}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'crm-saga',
      taskQueue,
      workflowBundle: { codePath: TestEnv.workflowBundlePath() },
      activities: { ...real, ...overrides },
    });
    const workflowId = inboundMessageWorkflowId(channel.id, message.externalId);
    const handle = await h.temporal.workflow.start('ProcessInboundMessageSaga', {
      taskQueue,
      workflowId,
      args: [{ tenantId: tenant.tenantId, channelId: channel.id, message }],
    });
    const outcome = await worker.runUntil(
      handle.result().then(
        (result: ProcessInboundMessageResult): SagaOutcome => ({ result }),
        (error: unknown): SagaOutcome => ({ error }),
      ),
    );
    return { ...outcome, workflowId };
  };

  const contactsOf = (phone: string) =>
    h.query(`SELECT * FROM contacts WHERE tenant_id = $1 AND phone = $2 ORDER BY created_at`, [tenant.tenantId, phone]);
  const sessionsOf = (contactIds: string[]) =>
    h.query(`SELECT * FROM sessions WHERE contact_id = ANY($1) ORDER BY created_at`, [contactIds]);
  const messagesOf = (externalId: string) =>
    h.query(`SELECT * FROM messages WHERE channel_id = $1 AND external_id = $2`, [channel.id, externalId]);
  const eventsOf = (aggregateId: string) =>
    h.query<{ type: string; payload: any; correlation_id: string }>(
      `SELECT type, payload, correlation_id FROM outbox_events WHERE tenant_id = $1 AND aggregate_id = $2 ORDER BY created_at`,
      [tenant.tenantId, aggregateId],
    );
  const typesOf = async (aggregateId: string) => (await eventsOf(aggregateId)).map((e) => e.type);
  const lifecycleStatus = async (sessionId: string) =>
    (await h.temporal.workflow.getHandle(`session:${sessionId}`).describe()).status.name;
  const messageDeletedEvent = (externalId: string) =>
    h.query(
      `SELECT aggregate_id, payload FROM outbox_events WHERE tenant_id = $1 AND type = 'message.deleted' AND payload->>'externalId' = $2`,
      [tenant.tenantId, externalId],
    );

  /** A series of this process's metrics (`series`: a histogram's `_count`, `_sum` or `_bucket`). */
  const metric = async (name: string, labels: Record<string, string>, series = name): Promise<number> => {
    const values = (await register.getSingleMetric(name)?.get())?.values ?? [];
    const found = values.find(
      (v) =>
        ((v as { metricName?: string }).metricName ?? name) === series &&
        Object.entries(labels).every(([k, value]) => v.labels[k] === value),
    );
    return found?.value ?? 0;
  };

  /** The run failed (not completed), with the saga's failure, and recorded what it compensated. */
  const expectCompensated = async (
    outcome: SagaOutcome & { workflowId: string },
    failedStep: string,
    compensated: string[],
  ) => {
    expect(outcome.result).toBeUndefined();
    expect(outcome.error).toBeInstanceOf(WorkflowFailedError);
    // The run fails for good (non-retryable), and its failure still tells which step failed and why:
    // the step's own failure is the run's failure or in its cause chain.
    const failure = (outcome.error as WorkflowFailedError).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    const chain: Error[] = [];
    for (let e: Error | undefined = failure; e; e = e.cause as Error | undefined) chain.push(e);
    expect(chain).toContainEqual(
      expect.objectContaining({ type: 'InjectedFailure', message: `injected after ${failedStep}` }),
    );
    for (const e of chain) if (e instanceof ActivityFailure) expect(e.activityType).toBe(failedStep);
    const description = await h.temporal.workflow.getHandle(outcome.workflowId).describe();
    expect(description.status.name).toBe('FAILED');

    const events = await h.query(
      `SELECT payload, correlation_id FROM outbox_events WHERE type = 'saga.compensated' AND aggregate_id = $1`,
      [outcome.workflowId],
    );
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({
      saga: 'ProcessInboundMessageSaga',
      sagaId: outcome.workflowId,
      compensated,
    });
    expect(events[0].payload.reason).toContain(`injected after ${failedStep}`);
    expect(events[0].correlation_id).toBe(outcome.workflowId);
  };

  it('after findOrCreateContact fails: the contact it created is soft-deleted (contact.deleted) and the run fails', async () => {
    const phone = newPhone();
    const { message } = inbound(phone);
    const outcome = await runSaga(message, failAfter('findOrCreateContact'));
    await expectCompensated(outcome, 'findOrCreateContact', ['deleteContact']);

    const contacts = await contactsOf(phone);
    expect(contacts).toHaveLength(1);
    expect(contacts[0].deleted_at).not.toBeNull();
    expect(await typesOf(contacts[0].id)).toEqual(['contact.created', 'contact.deleted']);
    expect(await sessionsOf([contacts[0].id])).toHaveLength(0);
    expect(await messagesOf(message.externalId)).toHaveLength(0);
  });

  it('after findOrCreateSession fails: the session it opened ends with saga_rollback (its lifecycle workflow completes), the contact is soft-deleted', async () => {
    const phone = newPhone();
    const { message } = inbound(phone);
    const outcome = await runSaga(message, failAfter('findOrCreateSession'));
    await expectCompensated(outcome, 'findOrCreateSession', ['closeSession', 'deleteContact']);

    const [contact] = await contactsOf(phone);
    expect(contact.deleted_at).not.toBeNull();
    expect(await typesOf(contact.id)).toEqual(['contact.created', 'contact.deleted']);
    const sessions = await sessionsOf([contact.id]);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ status: 'ended', end_reason: 'saga_rollback' });
    expect(sessions[0].summary).toMatchObject({ messagesTotal: 0 });
    const sessionEvents = await eventsOf(sessions[0].id);
    expect(sessionEvents.map((e) => e.type)).toEqual(['session.started', 'session.ended']);
    expect(sessionEvents[1]!.payload).toMatchObject({ reason: 'saga_rollback' });
    // The rollback went through the lifecycle workflow the step had started: it ended and stopped.
    await eventually(
      async () => ((await lifecycleStatus(sessions[0].id)) === 'COMPLETED' ? true : undefined),
      10_000,
      'lifecycle workflow completed',
    );
    expect(await messagesOf(message.externalId)).toHaveLength(0);
  });

  it('after createMessage fails: the message is deleted (message.deleted), the session ended, the contact soft-deleted, in that order', async () => {
    const phone = newPhone();
    const { message } = inbound(phone);
    const counted = async () => ({
      compensated: await metric('crm_inbound_messages_total', { mode: 'saga', outcome: 'compensated' }),
      durations: await metric(
        'crm_inbound_saga_duration_seconds',
        { outcome: 'compensated' },
        'crm_inbound_saga_duration_seconds_count',
      ),
      undone: await Promise.all(
        ['deleteMessage', 'closeSession', 'deleteContact'].map((step) =>
          metric('crm_inbound_saga_compensations_total', { step, outcome: 'undone' }),
        ),
      ),
    });
    const before = await counted();
    const outcome = await runSaga(message, failAfter('createMessage'));
    await expectCompensated(outcome, 'createMessage', ['deleteMessage', 'closeSession', 'deleteContact']);
    // The worker runs in this process: its metrics count the saga once, and each undone step.
    expect(await counted()).toEqual({
      compensated: before.compensated + 1,
      durations: before.durations + 1,
      undone: before.undone.map((n) => n + 1),
    });

    expect(await messagesOf(message.externalId)).toHaveLength(0);
    const deleted = await messageDeletedEvent(message.externalId);
    expect(deleted).toHaveLength(1);
    expect(await typesOf(deleted[0].aggregate_id)).toEqual(['message.created', 'message.deleted']);

    const [contact] = await contactsOf(phone);
    expect(contact.deleted_at).not.toBeNull();
    const [session] = await sessionsOf([contact.id]);
    expect(session).toMatchObject({ status: 'ended', end_reason: 'saga_rollback' });
    await eventually(
      async () => ((await lifecycleStatus(session.id)) === 'COMPLETED' ? true : undefined),
      10_000,
      'lifecycle workflow completed',
    );

    // LIFO: the message went first, then the session (its summary counts no message), then the contact.
    expect(session.summary).toMatchObject({ messagesTotal: 0 });
    // (session.ended is written by the lifecycle workflow's activity, under its own correlation id.)
    const order = await h.query(
      `SELECT type FROM outbox_events WHERE aggregate_id = ANY($1) AND type IN ('message.deleted', 'session.ended', 'contact.deleted', 'saga.compensated') ORDER BY created_at`,
      [[deleted[0].aggregate_id, session.id, contact.id, outcome.workflowId]],
    );
    expect(order.map((e) => e.type)).toEqual([
      'message.deleted',
      'session.ended',
      'contact.deleted',
      'saga.compensated',
    ]);
  });

  it('never deletes a contact that existed before the saga (created through the API)', async () => {
    const phone = newPhone();
    const created = await h.call('POST', '/v1/contacts', {
      apiKey: tenant.apiKey,
      body: { phone, name: 'Already Known' },
    });
    expect(created.status).toBe(201);
    const { message } = inbound(phone);
    const outcome = await runSaga(message, failAfter('createMessage'));
    await expectCompensated(outcome, 'createMessage', ['deleteMessage', 'closeSession']);

    const contacts = await contactsOf(phone);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ id: created.body.id, deleted_at: null, name: 'Already Known' });
    expect(await typesOf(created.body.id)).toEqual(['contact.created']);
    expect((await h.call('GET', `/v1/contacts/${created.body.id}`, { apiKey: tenant.apiKey })).status).toBe(200);
    // What the saga itself created is undone.
    const [session] = await sessionsOf([created.body.id]);
    expect(session).toMatchObject({ status: 'ended', end_reason: 'saga_rollback' });
    expect(await messagesOf(message.externalId)).toHaveLength(0);
  });

  it('never closes a session that was active before the saga, nor touches its earlier messages', async () => {
    const phone = newPhone();
    const first = inbound(phone);
    const accepted = await h.postWebhook(channel, first.body);
    expect(accepted.status).toBe(202);
    const before = (await h.workflowResult(accepted.body.workflowId)) as ProcessInboundMessageResult;
    expect(before).toMatchObject({ contactCreated: true, sessionOpened: true, messageCreated: true });

    const { message } = inbound(phone);
    const outcome = await runSaga(message, failAfter('createMessage'));
    await expectCompensated(outcome, 'createMessage', ['deleteMessage']);

    const [contact] = await contactsOf(phone);
    expect(contact).toMatchObject({ id: before.contactId, deleted_at: null });
    const sessions = await sessionsOf([before.contactId]);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ id: before.sessionId, status: 'active', end_reason: null, ended_at: null });
    expect(await typesOf(before.sessionId)).toEqual(['session.started']);
    expect(await lifecycleStatus(before.sessionId)).toBe('RUNNING');
    expect(await messagesOf(first.message.externalId)).toHaveLength(1);
    expect(await messagesOf(message.externalId)).toHaveLength(0);
    expect(await typesOf(before.contactId)).toEqual(['contact.created']);
  });

  it('completes when trackAdConversion always fails, and lists it in optionalStepFailures', async () => {
    const phone = newPhone();
    const { message } = inbound(phone, 'webhook-message-ctwa-ad');
    expect(message.adReferral).not.toBeNull();
    const outcome = await runSaga(message, alwaysFailing('trackAdConversion'));
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({
      contactCreated: true,
      sessionOpened: true,
      messageCreated: true,
      adConversionRecorded: false,
      optionalStepFailures: ['trackAdConversion'],
    });
    expect((await h.temporal.workflow.getHandle(outcome.workflowId).describe()).status.name).toBe('COMPLETED');
    const [row] = await messagesOf(message.externalId);
    expect(row.id).toBe(outcome.result!.messageId);
    expect(await h.query(`SELECT id FROM ad_conversions WHERE message_id = $1`, [row.id])).toHaveLength(0);
    expect((await contactsOf(phone))[0].deleted_at).toBeNull();
    expect(
      await h.query(`SELECT 1 FROM outbox_events WHERE type = 'saga.compensated' AND aggregate_id = $1`, [
        outcome.workflowId,
      ]),
    ).toHaveLength(0);
  });

  it('leaves its events to the outbox relay: no publish step runs (one that would fail is never called), and the relay publishes them', async () => {
    const phone = newPhone();
    const { message } = inbound(phone);
    const outcome = await runSaga(message, alwaysFailing('publishDomainEvents'));
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ messageCreated: true, eventsPublished: 0, optionalStepFailures: [] });
    // The steps it ran, as its local-activity markers name them.
    const history = await h.temporal.workflow.getHandle(outcome.workflowId).fetchHistory();
    const stepsRun = (history.events ?? []).flatMap((e) =>
      Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) =>
        (d.payloads ?? [])
          .map((p) => Buffer.from(p.data ?? new Uint8Array()).toString())
          .filter((text) => text.includes('activity_type')),
      ),
    );
    expect(stepsRun.join(' ')).toContain('createMessage');
    expect(stepsRun.join(' ')).not.toContain('publishDomainEvents');
    // RECORD_HISTORIES=1 writes this run's history for the replay suite (its current saga history).
    if (process.env.RECORD_HISTORIES === '1') {
      writeFileSync(
        join(__dirname, '../../replay/histories/ProcessInboundMessageSaga.json'),
        historyToJSON(history)
          .split(`${join(__dirname, '../../..')}/`)
          .join(''),
      );
    }
    const types = await h.query(`SELECT type FROM outbox_events WHERE correlation_id = $1 ORDER BY created_at`, [
      outcome.workflowId,
    ]);
    expect(types.map((e) => e.type)).toEqual(['contact.created', 'session.started', 'message.created']);
    expect(await messagesOf(message.externalId)).toHaveLength(1);
    // The durable relay publishes them anyway.
    await eventually(
      async () => {
        const pending = await h.query(
          `SELECT 1 FROM outbox_events WHERE correlation_id = $1 AND status <> 'published'`,
          [outcome.workflowId],
        );
        return pending.length === 0 ? true : undefined;
      },
      20_000,
      'events relayed',
    );
  });

  /** Something one saga waits for from another; the wait is bounded so a broken interleaving fails
   *  the test (naming what never happened) instead of hanging it. */
  const gate = (what: string) => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const wait = async (timeoutMs = 20_000) => {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs)),
      );
      try {
        await Promise.race([opened, expired]);
      } finally {
        clearTimeout(timer);
      }
    };
    return { open, wait };
  };
  /** The real step, then `after` (the step's rows are committed when it runs). */
  const thenOpen = (name: string, after: () => void): Activities => ({
    [name]: async (...args: unknown[]) => {
      const result = await real[name]!(...args);
      after();
      return result;
    },
  });
  const compensationEvent = async (workflowId: string) => {
    const events = await h.query(
      `SELECT payload FROM outbox_events WHERE type = 'saga.compensated' AND aggregate_id = $1`,
      [workflowId],
    );
    expect(events).toHaveLength(1);
    return events[0].payload as { compensated: string[]; kept: string[]; reason: string };
  };
  /** Messages of the channel stored under a deleted contact or an ended session (there must be none). */
  const orphanedMessages = (phone: string) =>
    h.query(
      `SELECT m.external_id, c.deleted_at, s.status, s.end_reason FROM messages m
         JOIN contacts c ON c.id = m.contact_id JOIN sessions s ON s.id = m.session_id
        WHERE c.phone = $1 AND (c.deleted_at IS NOT NULL OR s.status <> 'active')`,
      [phone],
    );

  describe('two sagas for one new number', () => {
    it('A fails after B adopted its contact and session and stored its message: A undoes only its message', async () => {
      const phone = newPhone();
      const a = inbound(phone);
      const b = inbound(phone);
      const aResolved = gate("A's contact and session committed");
      const bStored = gate("B's message stored");
      const runA = runSaga(a.message, {
        ...thenOpen('findOrCreateSession', aResolved.open),
        createMessage: async (...args: unknown[]) => {
          await bStored.wait();
          await real.createMessage!(...args);
          throw ApplicationFailure.nonRetryable('injected after createMessage', 'InjectedFailure');
        },
      });
      await aResolved.wait();
      const outcomeB = await runSaga(b.message, {});
      bStored.open();
      const outcomeA = await runA;

      expect(outcomeB.error).toBeUndefined();
      expect(outcomeB.result).toMatchObject({ contactCreated: false, sessionOpened: false, messageCreated: true });
      await expectCompensated(outcomeA, 'createMessage', ['deleteMessage']);
      expect(await compensationEvent(outcomeA.workflowId)).toMatchObject({
        compensated: ['deleteMessage'],
        kept: ['closeSession', 'deleteContact'],
      });

      const contacts = await contactsOf(phone);
      expect(contacts.map((c) => ({ id: c.id, deleted_at: c.deleted_at }))).toEqual([
        { id: outcomeB.result!.contactId, deleted_at: null },
      ]);
      expect(await typesOf(outcomeB.result!.contactId)).toEqual(['contact.created']);
      const sessions = await sessionsOf([outcomeB.result!.contactId]);
      expect(sessions.map((row) => ({ id: row.id, status: row.status, end_reason: row.end_reason }))).toEqual([
        { id: outcomeB.result!.sessionId, status: 'active', end_reason: null },
      ]);
      expect(await typesOf(outcomeB.result!.sessionId)).toEqual(['session.started']);
      expect(await lifecycleStatus(outcomeB.result!.sessionId)).toBe('RUNNING');

      const [stored] = await messagesOf(b.message.externalId);
      expect(stored).toMatchObject({
        id: outcomeB.result!.messageId,
        contact_id: outcomeB.result!.contactId,
        session_id: outcomeB.result!.sessionId,
      });
      expect(await messagesOf(a.message.externalId)).toHaveLength(0);
      expect(await messageDeletedEvent(a.message.externalId)).toHaveLength(1);
    });

    it('A compensates while B is storing its message (B holds the rows): A waits for B, then keeps contact and session', async () => {
      const phone = newPhone();
      const a = inbound(phone);
      const b = inbound(phone);
      const unitOfWork = h.worker.get(UnitOfWork);
      const aResolved = gate("A's contact and session committed");
      const bInserted = gate("B's message inserted, not committed");
      const aWaitsForB = gate("A's compensation waiting on B's row locks");
      const runA = runSaga(a.message, {
        ...thenOpen('findOrCreateSession', aResolved.open),
        // A fails before storing anything (as a message that fails validation would).
        createMessage: async () => {
          await bInserted.wait();
          throw ApplicationFailure.nonRetryable('injected in createMessage', 'InjectedFailure');
        },
      });
      await aResolved.wait();
      const runB = runSaga(b.message, {
        // B's real step in a transaction held open until A's compensation blocks on its locks.
        createMessage: (...args: unknown[]) =>
          unitOfWork.run(async () => {
            const result = await real.createMessage!(...args);
            bInserted.open();
            await aWaitsForB.wait();
            return result;
          }),
      });
      await bInserted.wait();
      await eventually(
        async () => {
          const waiting = await h.query(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%"sessions"%FOR UPDATE%'`,
          );
          return waiting.length > 0 ? true : undefined;
        },
        20_000,
        'a compensation waiting on a row lock',
      );
      aWaitsForB.open();
      const [outcomeA, outcomeB] = await Promise.all([runA, runB]);

      expect(outcomeB.error).toBeUndefined();
      expect(outcomeB.result).toMatchObject({ contactCreated: false, sessionOpened: false, messageCreated: true });
      expect(outcomeA.error).toBeInstanceOf(WorkflowFailedError);
      expect(await compensationEvent(outcomeA.workflowId)).toMatchObject({
        compensated: [],
        kept: ['closeSession', 'deleteContact'],
      });
      const [contact] = await contactsOf(phone);
      expect(contact).toMatchObject({ id: outcomeB.result!.contactId, deleted_at: null });
      const [session] = await sessionsOf([contact.id]);
      expect(session).toMatchObject({ id: outcomeB.result!.sessionId, status: 'active', end_reason: null });
      expect(await messagesOf(b.message.externalId)).toMatchObject([
        { contact_id: contact.id, session_id: session.id },
      ]);
      expect(await orphanedMessages(phone)).toEqual([]);
    });

    it('A compensates after B adopted its rows but before B stores: B resolves contact and session again and stores under live ones', async () => {
      const phone = newPhone();
      const a = inbound(phone);
      const b = inbound(phone);
      const aResolved = gate("A's contact and session committed");
      const bAdopted = gate("B's session step done");
      const runA = runSaga(a.message, {
        ...thenOpen('findOrCreateSession', aResolved.open),
        createMessage: async (...args: unknown[]) => {
          await bAdopted.wait();
          await real.createMessage!(...args);
          throw ApplicationFailure.nonRetryable('injected after createMessage', 'InjectedFailure');
        },
      });
      await aResolved.wait();
      const createMessageCalls: string[] = [];
      const runB = runSaga(b.message, {
        ...thenOpen('findOrCreateSession', bAdopted.open),
        // B's first attempt runs only once A has compensated: it is given A's rolled-back rows.
        createMessage: async (...args: unknown[]) => {
          const { contactId, sessionId } = args[0] as { contactId: string; sessionId: string };
          createMessageCalls.push(`${contactId}/${sessionId}`);
          if (createMessageCalls.length === 1) await runA;
          return real.createMessage!(...args);
        },
      });
      const outcomeA = await runA;
      const outcomeB = await runB;

      await expectCompensated(outcomeA, 'createMessage', ['deleteMessage', 'closeSession', 'deleteContact']);
      expect(await compensationEvent(outcomeA.workflowId)).toMatchObject({ kept: [] });
      const contacts = await contactsOf(phone);
      expect(contacts).toHaveLength(2);
      const [rolledBackContact, liveContact] = contacts;
      expect(rolledBackContact.deleted_at).not.toBeNull();
      const [rolledBackSession] = await sessionsOf([rolledBackContact.id]);
      expect(rolledBackSession).toMatchObject({ status: 'ended', end_reason: 'saga_rollback' });

      expect(outcomeB.error).toBeUndefined();
      expect(outcomeB.result).toMatchObject({
        contactId: liveContact.id,
        contactCreated: true,
        sessionOpened: true,
        messageCreated: true,
      });
      expect(createMessageCalls).toEqual([
        `${rolledBackContact.id}/${rolledBackSession.id}`,
        `${liveContact.id}/${outcomeB.result!.sessionId}`,
      ]);
      expect(liveContact.deleted_at).toBeNull();
      const [liveSession] = await sessionsOf([liveContact.id]);
      expect(liveSession).toMatchObject({ id: outcomeB.result!.sessionId, status: 'active' });
      expect(await messagesOf(b.message.externalId)).toMatchObject([
        { id: outcomeB.result!.messageId, contact_id: liveContact.id, session_id: liveSession.id },
      ]);
      expect(await orphanedMessages(phone)).toEqual([]);
      expect(
        await h.query(`SELECT 1 FROM outbox_events WHERE type = 'saga.compensated' AND aggregate_id = $1`, [
          outcomeB.workflowId,
        ]),
      ).toHaveLength(0);
      // B went the patched way: the marker is in its history.
      const history = await h.temporal.workflow.getHandle(outcomeB.workflowId).fetchHistory();
      const patches = (history.events ?? []).flatMap((e) =>
        (e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map(
          (p) => JSON.parse(Buffer.from(p.data!).toString()).id,
        ),
      );
      expect(patches).toEqual([
        'inbound-saga-local-steps',
        'inbound-saga-resolve-again-after-rollback',
        'inbound-saga-publish-by-relay',
      ]);
    });
  });

  describe('compensation rules (InboundConversationSteps on the real database and dev server)', () => {
    const steps = () => h.worker.get(InboundConversationSteps);
    /** A contact and an active session for a new number, as the saga's first two steps leave them. */
    const conversation = async () => {
      const phone = newPhone();
      const { message } = inbound(phone);
      const contact = await steps().findOrCreateContact({
        tenantId: tenant.tenantId,
        proposedContactId: randomUUID(),
        message,
      });
      const { session } = await steps().findOrOpenSession({
        tenantId: tenant.tenantId,
        channelId: channel.id,
        contactId: contact.contactId,
        proposedSessionId: randomUUID(),
        message,
      });
      const store = (m: InboundMessage = inbound(phone).message) =>
        steps().createMessage({
          tenantId: tenant.tenantId,
          channelId: channel.id,
          contactId: contact.contactId,
          sessionId: session.id,
          message: m,
        });
      return { phone, message, session, contactId: contact.contactId, sessionId: session.id, store };
    };

    it('closeSessionForRollback keeps a session a message refers to; ends one without (stopping its lifecycle workflow), idempotently', async () => {
      const used = await conversation();
      await used.store();
      expect(await steps().closeSessionForRollback(tenant.tenantId, used.sessionId)).toBe('kept_in_use');
      expect(await sessionsOf([used.contactId])).toMatchObject([
        { id: used.sessionId, status: 'active', end_reason: null },
      ]);
      expect(await typesOf(used.sessionId)).toEqual(['session.started']);

      const unused = await conversation();
      await steps().watchSession(tenant.tenantId, unused.session);
      expect(await lifecycleStatus(unused.sessionId)).toBe('RUNNING');
      expect(await steps().closeSessionForRollback(tenant.tenantId, unused.sessionId)).toBe('undone');
      expect(await sessionsOf([unused.contactId])).toMatchObject([
        { id: unused.sessionId, status: 'ended', end_reason: 'saga_rollback' },
      ]);
      await eventually(
        async () => ((await lifecycleStatus(unused.sessionId)) === 'COMPLETED' ? true : undefined),
        10_000,
        'lifecycle workflow completed',
      );
      // A retry (its first reply lost) reports the same, and ends nothing twice.
      expect(await steps().closeSessionForRollback(tenant.tenantId, unused.sessionId)).toBe('undone');
      expect(await typesOf(unused.sessionId)).toEqual(['session.started', 'session.ended']);

      expect(await steps().closeSessionForRollback(tenant.tenantId, randomUUID())).toBe('nothing_to_undo');
    });

    it('deleteContactForRollback keeps a contact with a message or an active session, and deletes one whose only session was rolled back', async () => {
      const withMessage = await conversation();
      await withMessage.store();
      expect(await steps().closeSessionForRollback(tenant.tenantId, withMessage.sessionId)).toBe('kept_in_use');
      expect(await steps().deleteContactForRollback(tenant.tenantId, withMessage.contactId)).toBe('kept_in_use');
      expect(await contactsOf(withMessage.phone)).toMatchObject([{ id: withMessage.contactId, deleted_at: null }]);

      const withSession = await conversation();
      expect(await steps().deleteContactForRollback(tenant.tenantId, withSession.contactId)).toBe('kept_in_use');
      expect(await typesOf(withSession.contactId)).toEqual(['contact.created']);

      expect(await steps().closeSessionForRollback(tenant.tenantId, withSession.sessionId)).toBe('undone');
      expect(await steps().deleteContactForRollback(tenant.tenantId, withSession.contactId)).toBe('undone');
      expect((await contactsOf(withSession.phone))[0].deleted_at).not.toBeNull();
      expect(await typesOf(withSession.contactId)).toEqual(['contact.created', 'contact.deleted']);
      expect(await steps().deleteContactForRollback(tenant.tenantId, withSession.contactId)).toBe('nothing_to_undo');
    });

    it('createMessage refuses a rolled-back session or a deleted contact, naming it, and still answers a message stored before', async () => {
      const rolledBack = await conversation();
      expect(await steps().closeSessionForRollback(tenant.tenantId, rolledBack.sessionId)).toBe('undone');
      const refusedSession = await rejection(rolledBack.store(rolledBack.message));
      expect(refusedSession).toBeInstanceOf(ConversationRolledBackError);
      expect((refusedSession as ConversationRolledBackError).field).toBe('sessionId');
      expect(await messagesOf(rolledBack.message.externalId)).toHaveLength(0);

      const deleted = await conversation();
      const stored = await deleted.store(deleted.message);
      expect((await h.call('DELETE', `/v1/contacts/${deleted.contactId}`, { apiKey: tenant.apiKey })).status).toBe(204);
      const refusedContact = await rejection(deleted.store());
      expect(refusedContact).toBeInstanceOf(ConversationRolledBackError);
      expect((refusedContact as ConversationRolledBackError).field).toBe('contactId');
      // A redelivery of the message stored before the contact went is answered as before.
      expect(await deleted.store(deleted.message)).toEqual({ messageId: stored.messageId, created: false });
    });
  });

  it('runs again after compensation when WAHA redelivers (the failed run does not block the id) and leaves one live contact, session and message', async () => {
    const phone = newPhone();
    const { body, message } = inbound(phone);
    const failed = await runSaga(message, failAfter('createMessage'));
    await expectCompensated(failed, 'createMessage', ['deleteMessage', 'closeSession', 'deleteContact']);

    const redelivered = await h.postWebhook(channel, body);
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toMatchObject({ mode: 'saga', workflowId: failed.workflowId, duplicate: false });
    const result = (await h.workflowResult(failed.workflowId)) as ProcessInboundMessageResult;
    expect(result).toMatchObject({
      contactCreated: true,
      sessionOpened: true,
      messageCreated: true,
      optionalStepFailures: [],
    });

    const contacts = await contactsOf(phone);
    expect(contacts.filter((c) => c.deleted_at === null).map((c) => c.id)).toEqual([result.contactId]);
    const sessions = await sessionsOf(contacts.map((c) => c.id));
    expect(sessions.filter((s) => s.status === 'active').map((s) => s.id)).toEqual([result.sessionId]);
    expect(sessions.filter((s) => s.status === 'ended').map((s) => s.end_reason)).toEqual(['saga_rollback']);
    const messages = await messagesOf(message.externalId);
    expect(messages.map((m) => m.id)).toEqual([result.messageId]);
    expect(messages[0]).toMatchObject({ contact_id: result.contactId, session_id: result.sessionId });

    // Now that a run completed, a further redelivery is a no-op.
    const again = await h.postWebhook(channel, body);
    expect(again.body).toMatchObject({ mode: 'saga', duplicate: true });
    expect(await messagesOf(message.externalId)).toHaveLength(1);
  });
});
