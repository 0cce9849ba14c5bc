import { randomUUID } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type Client } from '@temporalio/client';
import {
  type ProcessInboundMessageResult,
  type SessionCleanupResult,
  TaskQueues,
  TemporalClientProvider,
} from '@app/workflows';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { freshWahaFixture, type FixtureJson } from '../fixtures/waha';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';
import { eventually } from '../support/nest';

/**
 * The automation queue end to end: the session-cleanup Schedule closing orphaned sessions (and
 * leaving watched ones to their lifecycle workflow), and the message debouncer, including across a
 * restart of the worker.
 */
describe('session automation: cleanup schedule and message debouncer (e2e)', () => {
  let h: ConversationHarness;
  let tenant: { tenantId: string; apiKey: string };
  /** The worker context serving the task queues now (the harness's, until a test restarts it). */
  let worker: INestApplicationContext | undefined;
  let phones = 0;

  beforeAll(async () => {
    h = await ConversationHarness.start('crm-misc', { SESSION_CLEANUP_INTERVAL_SECONDS: '10' });
    worker = h.worker;
    tenant = await h.createTenant();
  });
  afterAll(async () => {
    await h?.api.close();
    await worker?.close();
  });

  /** The API's client: it outlives a restart of the worker (whose own client closes with it). */
  const temporal = (): Client => h.api.get(TemporalClientProvider).client;
  const newPhone = () => `55119770${String((phones += 1)).padStart(5, '0')}`;
  const textFrom = (phone: string): FixtureJson => {
    const body = freshWahaFixture('webhook-message-text', {
      rawId: `AC${randomUUID().replace(/-/g, '').toUpperCase()}`,
    });
    body.payload.id = (body.payload.id as string).replace('5511999990001', phone);
    return body;
  };
  /** Delivers a message through the receiver and waits for its saga. */
  const deliver = async (channel: HarnessChannel, body: FixtureJson): Promise<ProcessInboundMessageResult> => {
    const res = await h.postWebhook(channel, body);
    expect(res.status).toBe(202);
    expect(res.body.mode).toBe('saga');
    return (await temporal().workflow.getHandle(res.body.workflowId).result()) as ProcessInboundMessageResult;
  };
  const statusOf = async (workflowId: string) =>
    (await temporal().workflow.getHandle(workflowId).describe()).status.name;
  const groupsOf = (sessionId: string) =>
    h.query<{ id: string; message_ids: string[] }>(
      `SELECT id, message_ids FROM message_groups WHERE session_id = $1 ORDER BY completed_at`,
      [sessionId],
    );
  const groupEventsOf = (sessionId: string) =>
    h.query(
      `SELECT aggregate_id, payload FROM outbox_events WHERE type = 'message.group.completed' AND payload->>'sessionId' = $1 ORDER BY created_at`,
      [sessionId],
    );

  describe('session cleanup', () => {
    it('ends an expired session that no lifecycle workflow watches (reason cleanup, at its deadline, with its summary) and leaves watched ones to their workflow', async () => {
      // A session whose lifecycle workflow runs: created through the receiver on a 60 s channel,
      // then made expired in the database (its workflow still waits for its own deadline).
      const watchedChannel = await h.createChannel(tenant.apiKey, { sessionTimeoutSeconds: 60 });
      const watched = await deliver(watchedChannel, textFrom(newPhone()));
      expect(watched.sessionOpened).toBe(true);
      await h.query(
        `UPDATE sessions SET started_at = now() - interval '3 hours', last_activity_at = now() - interval '2 hours' WHERE id = $1`,
        [watched.sessionId],
      );
      expect(await statusOf(`session:${watched.sessionId}`)).toBe('RUNNING');

      // An orphan: active, idle for 2 hours with a 60 s timeout, one message, and no workflow at all.
      const channel = await h.createChannel(tenant.apiKey);
      const phone = newPhone();
      const contact = await h.call('POST', '/v1/contacts', { apiKey: tenant.apiKey, body: { phone, name: 'Orphan' } });
      expect(contact.status).toBe(201);
      const sessionId = randomUUID();
      // One statement, so the schedule (every 10 s) never sees the session without its message.
      const [{ sent_at: lastActivityAt }] = await h.query(
        `WITH s AS (
           INSERT INTO sessions (id, tenant_id, contact_id, channel_id, status, started_at, last_activity_at, timeout_seconds, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'active', date_trunc('second', now()) - interval '2 hours 5 minutes', date_trunc('second', now()) - interval '2 hours', 60, now(), now())
           RETURNING id, last_activity_at)
         INSERT INTO messages (id, tenant_id, session_id, contact_id, channel_id, direction, external_id, wa_chat_id, wa_raw_id, type, text, status, sent_at, created_at, updated_at)
         SELECT $5, $2, s.id, $3, $4, 'inbound', $6, $7, 'ACORPHAN0000000000000000000001', 'text', 'still there?', 'received', s.last_activity_at, now(), now() FROM s
         RETURNING sent_at`,
        [
          sessionId,
          tenant.tenantId,
          contact.body.id,
          channel.id,
          randomUUID(),
          `false_${phone}@c.us_ACORPHAN0000000000000000000001`,
          `${phone}@c.us`,
        ],
      );
      await expect(temporal().workflow.getHandle(`session:${sessionId}`).describe()).rejects.toThrow();

      const scheduleId = process.env.SESSION_CLEANUP_SCHEDULE_ID!;
      expect(scheduleId).toMatch(/^session-cleanup-/);
      await temporal().schedule.getHandle(scheduleId).trigger();

      const ended = await eventually(
        async () => {
          const [row] = await h.query(`SELECT * FROM sessions WHERE id = $1 AND status = 'ended'`, [sessionId]);
          return row;
        },
        20_000,
        'orphaned session ended by the cleanup schedule',
      );
      expect(ended.end_reason).toBe('cleanup');
      // An idle session ended when its timeout ran out, not when the sweep happened to run.
      expect(ended.ended_at.toISOString()).toBe(new Date(lastActivityAt.getTime() + 60_000).toISOString());
      expect(ended.summary).toMatchObject({
        messagesInbound: 1,
        messagesOutbound: 0,
        messagesTotal: 1,
        lastMessageAt: lastActivityAt.toISOString(),
      });
      const events = await h.query(
        `SELECT type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY created_at`,
        [sessionId],
      );
      expect(events.map((e) => e.type)).toEqual(['session.ended']);
      expect(events[0].payload).toMatchObject({
        reason: 'cleanup',
        endedAt: ended.ended_at.toISOString(),
        summary: { messagesTotal: 1 },
      });
      const runs = (await temporal().schedule.getHandle(scheduleId).describe()).info.recentActions;
      expect(runs.length).toBeGreaterThanOrEqual(1);

      // The watched session, expired by the clock too, is left to its workflow.
      const result = (await temporal().workflow.execute('SessionCleanupWorkflow', {
        taskQueue: TaskQueues.automation,
        workflowId: `session-cleanup-test-${randomUUID()}`,
        args: [{ batchSize: 500 }],
      })) as SessionCleanupResult;
      expect(result.stillManaged).toBeGreaterThanOrEqual(1);
      expect(result.endedByTenant[tenant.tenantId] ?? 0).toBe(0);
      const [still] = await h.query(`SELECT status, end_reason FROM sessions WHERE id = $1`, [watched.sessionId]);
      expect(still).toEqual({ status: 'active', end_reason: null });
      expect(await statusOf(`session:${watched.sessionId}`)).toBe('RUNNING');
    });

    it('reaches an orphan behind more watched overdue sessions than one batch holds', async () => {
      // Paused, so only the run below can end the orphan: its own result must show it.
      const schedule = temporal().schedule.getHandle(process.env.SESSION_CLEANUP_SCHEDULE_ID!);
      await schedule.pause('session-cleanup starvation test');
      try {
        await eventually(
          async () => ((await schedule.describe()).info.runningActions.length === 0 ? true : undefined),
          20_000,
          'no cleanup run under way',
        );
        const watchedChannel = await h.createChannel(tenant.apiKey, { sessionTimeoutSeconds: 600 });
        const watched = await Promise.all([1, 2, 3].map(() => deliver(watchedChannel, textFrom(newPhone()))));
        // Longer overdue than the orphan: they come first in the sweep's order and fill a batch of 2.
        await h.query(
          `UPDATE sessions SET started_at = now() - interval '5 hours', last_activity_at = now() - interval '4 hours' WHERE id = ANY($1)`,
          [watched.map((w) => w.sessionId)],
        );
        const channel = await h.createChannel(tenant.apiKey);
        const contact = await h.call('POST', '/v1/contacts', {
          apiKey: tenant.apiKey,
          body: { phone: newPhone(), name: 'Orphan behind watched' },
        });
        expect(contact.status).toBe(201);
        const orphanId = randomUUID();
        await h.query(
          `INSERT INTO sessions (id, tenant_id, contact_id, channel_id, status, started_at, last_activity_at, timeout_seconds, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'active', now() - interval '3 hours', now() - interval '2 hours', 60, now(), now())`,
          [orphanId, tenant.tenantId, contact.body.id, channel.id],
        );

        const result = (await temporal().workflow.execute('SessionCleanupWorkflow', {
          taskQueue: TaskQueues.automation,
          workflowId: `session-cleanup-test-${randomUUID()}`,
          args: [{ batchSize: 2 }],
        })) as SessionCleanupResult;
        const [orphan] = await h.query(`SELECT status, end_reason FROM sessions WHERE id = $1`, [orphanId]);
        expect({ orphan, result }).toMatchObject({
          orphan: { status: 'ended', end_reason: 'cleanup' },
          result: { endedByTenant: { [tenant.tenantId]: 1 } },
        });
        expect(result.stillManaged).toBeGreaterThanOrEqual(3);
        const stillActive = await h.query(`SELECT id FROM sessions WHERE id = ANY($1) AND status = 'active'`, [
          watched.map((w) => w.sessionId),
        ]);
        expect(stillActive).toHaveLength(3);
      } finally {
        await schedule.unpause();
      }
    });
  });

  describe('message debouncer', () => {
    it('groups the messages of one contact arriving within the window into one group, and a later one into the next', async () => {
      const channel = await h.createChannel(tenant.apiKey, { debounceWindowMs: 1500 });
      const phone = newPhone();
      const burst = await Promise.all(
        [textFrom(phone), textFrom(phone), textFrom(phone)].map((body) => deliver(channel, body)),
      );
      expect(burst.map((r) => r.debounced)).toEqual([true, true, true]);
      const sessionId = burst[0]!.sessionId;
      expect(new Set(burst.map((r) => r.sessionId))).toEqual(new Set([sessionId]));

      const [group] = await eventually(
        async () => {
          const groups = await groupsOf(sessionId);
          return groups.length > 0 ? groups : undefined;
        },
        20_000,
        'first message group',
      );
      expect([...group!.message_ids].sort()).toEqual(burst.map((r) => r.messageId).sort());
      const events = await groupEventsOf(sessionId);
      expect(events).toHaveLength(1);
      expect(events[0].aggregate_id).toBe(group!.id);
      expect([...events[0].payload.messageIds].sort()).toEqual([...group!.message_ids].sort());
      // Its window closed: the debouncer finished its run.
      await eventually(
        async () => ((await statusOf(`debounce:${sessionId}`)) === 'COMPLETED' ? true : undefined),
        10_000,
        'debouncer completed',
      );

      const later = await deliver(channel, textFrom(phone));
      expect(later).toMatchObject({ sessionId, debounced: true });
      const groups = await eventually(
        async () => {
          const rows = await groupsOf(sessionId);
          return rows.length === 2 ? rows : undefined;
        },
        20_000,
        'second message group',
      );
      expect(groups[1]!.message_ids).toEqual([later.messageId]);
      expect(await groupEventsOf(sessionId)).toHaveLength(2);
      expect(await groupsOf(sessionId)).toHaveLength(2);
    });

    it('completes an open group after the worker restarts (the window is a durable Temporal timer)', async () => {
      // Long enough for the worker's graceful close on a loaded machine (2 s was not: the window
      // closed before the worker had stopped, and the group came from the old worker).
      const channel = await h.createChannel(tenant.apiKey, { debounceWindowMs: 10_000 });
      const sent = await deliver(channel, textFrom(newPhone()));
      expect(sent.debounced).toBe(true);

      // Stop every worker of the system while the window is open.
      await worker!.close();
      worker = undefined;
      expect(await statusOf(`debounce:${sent.sessionId}`)).toBe('RUNNING');
      expect(await groupsOf(sent.sessionId)).toHaveLength(0);

      // A new worker process, as ConversationHarness builds it (same environment).
      const restarted = await Test.createTestingModule({ imports: [WorkerModule] }).compile();
      await restarted.init();
      worker = restarted;

      const [group] = await eventually(
        async () => {
          const groups = await groupsOf(sent.sessionId);
          return groups.length > 0 ? groups : undefined;
        },
        30_000,
        'message group after the restart',
      );
      expect(group!.message_ids).toEqual([sent.messageId]);
      expect(await groupEventsOf(sent.sessionId)).toHaveLength(1);
      await eventually(
        async () => ((await statusOf(`debounce:${sent.sessionId}`)) === 'COMPLETED' ? true : undefined),
        10_000,
        'debouncer completed',
      );
    });
  });
});
