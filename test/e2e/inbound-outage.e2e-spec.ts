import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { WorkflowNotFoundError } from '@temporalio/client';
import { parseWahaEvent, signWahaBody, type InboundMessage } from '@app/inbound';
import {
  inboundMessageWorkflowId,
  type ProcessInboundMessageResult,
  TemporalConversationWorkflows,
} from '@app/workflows';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { runMigrations } from '../../libs/database/src/run-migrations';
import { freshWahaFixture, type FixtureJson } from '../fixtures/waha';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';
import { eventually } from '../support/nest';
import { OwnedPostgres } from '../support/owned-postgres';

/** How long the database stays down: longer than the saga steps' old retry budget (~3 s), well
 *  inside their retry window (SAGA_STEP_RETRY_WINDOW). */
const OUTAGE_MS = 15_000;
/** One bound for everything that happens after the database is back (retries back off up to 30 s). */
const RECOVERY_MS = 120_000;

/**
 * Inbound traffic through a database outage, against a PostgreSQL this suite owns and stops (the
 * real one, stopped with a fast shutdown: connections terminated, new ones refused), the real
 * Temporal dev server and the whole system (API + worker) in one process.
 */
describe('inbound through a database outage (owned PostgreSQL, e2e)', () => {
  let pg: OwnedPostgres;
  let h: ConversationHarness;
  let tenantId: string;
  let apiKey: string;
  let sagaChannel: HarnessChannel;
  let directChannel: HarnessChannel;
  let phones = 0;

  beforeAll(async () => {
    pg = await OwnedPostgres.create();
    const databaseUrl = await pg.createDatabase('crm_outage');
    await runMigrations(databaseUrl);
    h = await ConversationHarness.start('crm-outage', { DATABASE_URL: databaseUrl });
    ({ tenantId, apiKey } = await h.createTenant());
    sagaChannel = await h.createChannel(apiKey, { inboundMode: 'saga' });
    directChannel = await h.createChannel(apiKey, { inboundMode: 'direct', debounceWindowMs: 500 });
  }, 180_000);
  afterAll(async () => {
    if (pg && !pg.isRunning) await pg.start();
    await h?.close();
    await pg?.destroy();
  });

  const newPhone = () => `55119770${String((phones += 1)).padStart(5, '0')}`;
  /** A text message from `phone` with a WAHA id of its own, re-dated to now. */
  const textFrom = (phone: string): FixtureJson =>
    JSON.parse(
      JSON.stringify(
        freshWahaFixture('webhook-message-text', { rawId: `AC${randomUUID().replace(/-/g, '').toUpperCase()}` }),
      ).replaceAll('5511999990001', phone),
    );
  const messageOf = (body: FixtureJson): InboundMessage => {
    const event = parseWahaEvent(body);
    if (event.kind !== 'message') throw new Error(`not a message: ${event.kind}`);
    return event.message;
  };
  /** POSTs like WAHA does, to the harness's API or to another one. */
  const post = async (channel: HarnessChannel, body: FixtureJson, apiUrl = h.apiUrl) => {
    const raw = JSON.stringify(body);
    const res = await fetch(`${apiUrl}/v1/channels/${channel.id}/waha/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-webhook-hmac': signWahaBody(raw, channel.webhookSecret),
        'x-webhook-hmac-algorithm': 'sha512',
      },
      body: raw,
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as Record<string, any>,
    };
  };
  const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
    Promise.race([
      promise,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${what} not done within ${ms} ms`)), ms).unref(),
      ),
    ]);
  const statusOf = async (workflowId: string) => {
    try {
      return (await h.temporal.workflow.getHandle(workflowId).describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'NOT_FOUND';
      throw err;
    }
  };
  /** What was stored for one WAHA message: its rows and the events of its message. */
  const storedOf = async (channel: HarnessChannel, externalId: string) => {
    const messages = await h.query<{ id: string; session_id: string }>(
      `SELECT id, session_id FROM messages WHERE channel_id = $1 AND external_id = $2`,
      [channel.id, externalId],
    );
    const events = await h.query<{ type: string }>(
      `SELECT type FROM outbox_events WHERE tenant_id = $1 AND aggregate_id = ANY($2::text[])`,
      [tenantId, messages.map((m) => m.id)],
    );
    return { messages, eventTypes: events.map((e) => e.type).sort() };
  };

  it(
    'completes every saga started while the database is down, once it is back: each message stored exactly once, with its events, nothing compensated',
    async () => {
      const repeatedPhone = newPhone();
      const bodies = [textFrom(repeatedPhone), textFrom(repeatedPhone), textFrom(newPhone()), textFrom(newPhone())];
      const workflows = h.api.get(TemporalConversationWorkflows);

      await pg.stop();
      const outageStarted = Date.now();
      // Started as the API starts them (WAHA got its 202 once the start returned).
      const started = [];
      for (const body of bodies)
        started.push(
          await workflows.startInboundSaga({ tenantId, channelId: sagaChannel.id, message: messageOf(body) }),
        );
      expect(started.map((s) => s.duplicate)).toEqual(bodies.map(() => false));

      // The outage outlasts the old retry budget many times over: the sagas keep retrying.
      const seen = new Set<string>();
      while (Date.now() - outageStarted < OUTAGE_MS) {
        for (const { workflowId } of started) seen.add(`${workflowId}: ${await statusOf(workflowId)}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect([...seen].filter((s) => !s.endsWith(': RUNNING'))).toEqual([]);
      await pg.start();

      const results = await within(
        Promise.all(
          started.map(
            ({ workflowId }) =>
              h.temporal.workflow.getHandle(workflowId).result() as Promise<ProcessInboundMessageResult>,
          ),
        ),
        RECOVERY_MS,
        'the sagas',
      );
      expect(
        results.map((r) => ({
          messageCreated: r.messageCreated,
          failures: r.optionalStepFailures.filter((f) => f !== 'publishDomainEvents'),
        })),
      ).toEqual(bodies.map(() => ({ messageCreated: true, failures: [] })));
      for (const body of bodies) {
        const stored = await storedOf(sagaChannel, body.payload.id);
        expect({ id: body.payload.id, rows: stored.messages.length, events: stored.eventTypes }).toEqual({
          id: body.payload.id,
          rows: 1,
          events: ['message.created'],
        });
      }
      const contacts = await h.query<{ phone: string }>(
        `SELECT phone FROM contacts WHERE tenant_id = $1 AND deleted_at IS NULL AND phone = ANY($2)`,
        [tenantId, bodies.map((b) => b.payload.from.split('@')[0])],
      );
      expect(contacts.map((c) => c.phone).sort()).toEqual(
        [...new Set(bodies.map((b) => b.payload.from.split('@')[0] as string))].sort(),
      );
      expect(
        await h.query(`SELECT type FROM outbox_events WHERE tenant_id = $1 AND type = 'saga.compensated'`, [tenantId]),
      ).toEqual([]);
    },
    OUTAGE_MS + RECOVERY_MS + 30_000,
  );

  it(
    'answers 503 with Retry-After while the database is down, in both modes, and the redelivery stores the message once',
    async () => {
      const toSaga = textFrom(newPhone());
      const toDirect = textFrom(newPhone());
      await pg.stop();
      try {
        for (const [channel, body] of [
          [sagaChannel, toSaga],
          [directChannel, toDirect],
        ] as const) {
          const res = await post(channel, body);
          expect({ status: res.status, retryAfter: res.retryAfter, body: res.body }).toEqual({
            status: 503,
            retryAfter: '5',
            body: {
              statusCode: 503,
              error: 'Service Unavailable',
              code: 'DATABASE_UNAVAILABLE',
              message: 'The database is unavailable; retry later',
            },
          });
        }
      } finally {
        await pg.start();
      }

      // WAHA retries the 5xx: now accepted, and processed once.
      const saga = await post(sagaChannel, toSaga);
      expect(saga).toMatchObject({ status: 202, body: { mode: 'saga', duplicate: false } });
      await within(h.workflowResult(saga.body.workflowId), RECOVERY_MS, 'the redelivered saga');
      const direct = await post(directChannel, toDirect);
      expect(direct).toMatchObject({ status: 202, body: { mode: 'direct', duplicate: false, messageCreated: true } });
      for (const [channel, body] of [
        [sagaChannel, toSaga],
        [directChannel, toDirect],
      ] as const) {
        expect((await storedOf(channel, body.payload.id)).messages).toHaveLength(1);
      }
      // Direct mode leaves publishing to the outbox processor: it outlived the outages and publishes.
      const unpublished = () =>
        h.query<{ type: string; status: string }>(
          `SELECT type, status FROM outbox_events WHERE tenant_id = $1 AND correlation_id = $2 AND status <> 'published'`,
          [tenantId, inboundMessageWorkflowId(directChannel.id, toDirect.payload.id as string)],
        );
      const correlated = await h.query(`SELECT type FROM outbox_events WHERE correlation_id = $1`, [
        inboundMessageWorkflowId(directChannel.id, toDirect.payload.id as string),
      ]);
      expect(correlated.length).toBeGreaterThan(0);
      await eventually(
        async () => ((await unpublished()).length === 0 ? true : undefined),
        RECOVERY_MS,
        'the direct message published',
      ).catch(async (err) => {
        throw new Error(
          `${(err as Error).message}; unpublished: ${JSON.stringify(await unpublished())}, processor: ${await statusOf(process.env.OUTBOX_PROCESSOR_WORKFLOW_ID!)}`,
        );
      });
    },
    RECOVERY_MS * 2 + 60_000,
  );

  describe('direct mode: a redelivery repairs what the first try missed after its commit', () => {
    let deadTemporalApi: INestApplication;
    let deadTemporalUrl: string;

    beforeAll(async () => {
      // The same system, but this API's Temporal client points at an address nothing listens on.
      const address = process.env.TEMPORAL_ADDRESS;
      process.env.TEMPORAL_ADDRESS = '127.0.0.1:1';
      try {
        deadTemporalApi = await createApiApp({ logger: false });
        await deadTemporalApi.listen(0, '127.0.0.1');
        deadTemporalUrl = await deadTemporalApi.getUrl();
      } finally {
        process.env.TEMPORAL_ADDRESS = address;
      }
    });
    afterAll(() => deadTemporalApi?.close());

    it(
      'answers 503 when the lifecycle start fails after the commit; the redelivery starts the lifecycle workflow and debounces the message once',
      async () => {
        const body = textFrom(newPhone());
        const first = await post(directChannel, body, deadTemporalUrl);
        expect({ status: first.status, code: first.body.code }).toEqual({ status: 503, code: 'TEMPORAL_UNAVAILABLE' });
        // The transaction had committed: the message is stored, but no workflow watches its session.
        const [stored] = (await storedOf(directChannel, body.payload.id)).messages;
        expect(stored).toBeDefined();
        expect(await statusOf(`session:${stored!.session_id}`)).toBe('NOT_FOUND');

        const again = await post(directChannel, body);
        expect(again).toMatchObject({ status: 202, body: { mode: 'direct', duplicate: true, messageId: stored!.id } });
        expect(await statusOf(`session:${stored!.session_id}`)).toBe('RUNNING');
        const groups = await eventually(
          async () => {
            const rows = await h.query<{ message_ids: string[] }>(
              `SELECT message_ids FROM message_groups WHERE session_id = $1`,
              [stored!.session_id],
            );
            return rows.length > 0 ? rows : undefined;
          },
          RECOVERY_MS,
          'the message group of the redelivered message',
        );
        expect(groups.map((g) => g.message_ids)).toEqual([[stored!.id]]);
      },
      RECOVERY_MS + 120_000,
    );

    it(
      'restarts a lifecycle workflow that is gone while the session is active, and never groups the message twice',
      async () => {
        const phone = newPhone();
        const firstBody = textFrom(phone);
        const first = await post(directChannel, firstBody);
        expect(first).toMatchObject({ status: 202, body: { duplicate: false } });
        const sessionId = first.body.sessionId as string;
        await eventually(
          async () =>
            (await h.query(`SELECT 1 FROM message_groups WHERE session_id = $1`, [sessionId])).length > 0
              ? true
              : undefined,
          RECOVERY_MS,
          'the first group',
        );
        await h.temporal.workflow.getHandle(`session:${sessionId}`).terminate('lost (test)');

        // The redelivery of the first message, then a new one in the same window.
        const again = await post(directChannel, firstBody);
        expect(again).toMatchObject({ status: 202, body: { duplicate: true } });
        expect(await statusOf(`session:${sessionId}`)).toBe('RUNNING');
        const next = await post(directChannel, textFrom(phone));
        expect(next).toMatchObject({ status: 202, body: { duplicate: false, sessionId } });
        const groups = await eventually(
          async () => {
            const rows = await h.query<{ message_ids: string[] }>(
              `SELECT message_ids FROM message_groups WHERE session_id = $1 ORDER BY completed_at`,
              [sessionId],
            );
            return rows.some((g) => g.message_ids.includes(next.body.messageId)) ? rows : undefined;
          },
          RECOVERY_MS,
          'the group of the second message',
        );
        expect(groups.map((g) => g.message_ids)).toEqual([[first.body.messageId], [next.body.messageId]]);
      },
      RECOVERY_MS + 60_000,
    );
  });
});
