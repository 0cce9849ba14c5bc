import { randomBytes } from 'node:crypto';
import { sessionStateQuery } from '@app/workflows';
import { freshWahaFixture, type FixtureJson } from '../fixtures/waha';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';
import { eventually } from '../support/nest';

/**
 * Lazy session deadlines end to end (real PostgreSQL, Temporal dev server, api and worker): a
 * message on an open session writes the row and costs no Temporal call; the lifecycle workflow reads
 * the row when its deadline comes and ends the session at last message + timeout, never early, at
 * most one read late. A change of the channel's timeout reaches the open sessions and their workflows.
 */
const TIMEOUT_SECONDS = 6;
const CASE_TIMEOUT_MS = 90_000;

describe('lazy session deadlines (e2e)', () => {
  let h: ConversationHarness;
  let tenant: { tenantId: string; apiKey: string };
  const channels: Record<'saga' | 'direct', HarnessChannel> = {} as never;

  beforeAll(async () => {
    // Channel timeouts under 60 s are refused by the API: the short one is the system default.
    h = await ConversationHarness.start('crm-sessions', { SESSION_DEFAULT_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });
    tenant = await h.createTenant('Lazy Co');
    channels.saga = await h.createChannel(tenant.apiKey, { inboundMode: 'saga' });
    channels.direct = await h.createChannel(tenant.apiKey, { inboundMode: 'direct' });
  }, CASE_TIMEOUT_MS);
  afterAll(() => h?.close());

  /** A customer text from this phone, dated now (WhatsApp seconds). */
  const customerMessage = (phone: string): FixtureJson => {
    const rawId = randomBytes(16).toString('hex').toUpperCase();
    const body = freshWahaFixture('webhook-message-text', { id: `false_${phone}@c.us_${rawId}` });
    body.payload.from = `${phone}@c.us`;
    Object.assign(body.payload._data.Info, {
      Chat: `${phone}@s.whatsapp.net`,
      Sender: `${phone}@s.whatsapp.net`,
      ID: rawId,
    });
    return body;
  };
  const deliver = async (channel: HarnessChannel, body: FixtureJson) => {
    const res = await h.postWebhook(channel, body);
    expect(res.status).toBe(202);
    if (res.body.mode === 'saga') await h.workflowResult(res.body.workflowId);
    return res.body;
  };
  const sessionOfPhone = async (phone: string) =>
    (
      await h.query(
        `SELECT s.* FROM sessions s JOIN contacts c ON c.id = s.contact_id WHERE c.tenant_id = $1 AND c.phone = $2`,
        [tenant.tenantId, phone],
      )
    )[0];
  const waitForEnded = (sessionId: string) =>
    eventually(
      async () => {
        const [row] = await h.query(`SELECT * FROM sessions WHERE id = $1`, [sessionId]);
        return row?.status === 'ended' ? row : undefined;
      },
      45_000,
      `session ${sessionId} ended`,
    );
  const lifecycle = (sessionId: string) => h.temporal.workflow.getHandle(`session:${sessionId}`);
  /** The run completes right after the end it wrote. */
  const completedRun = (sessionId: string) =>
    eventually(
      async () => {
        const description = await lifecycle(sessionId).describe();
        return description.status.name === 'COMPLETED' ? description : undefined;
      },
      20_000,
      `lifecycle of ${sessionId} completed`,
    );

  it.each(['saga', 'direct'] as const)(
    '%s mode: messages on an open session signal nothing; GET shows the deadline from the row; it ends at last message + timeout',
    async (mode) => {
      const phone = mode === 'saga' ? '5511966660001' : '5511966660002';
      await deliver(channels[mode], customerMessage(phone));
      const opened = await sessionOfPhone(phone);
      for (let i = 0; i < 4; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 600));
        await deliver(channels[mode], customerMessage(phone));
      }
      const active = await sessionOfPhone(phone);
      expect(active.id).toBe(opened.id);
      expect(active.last_activity_at.getTime()).toBeGreaterThan(opened.last_activity_at.getTime());
      const deadline = new Date(active.last_activity_at.getTime() + TIMEOUT_SECONDS * 1000);

      const got = await h.call('GET', `/v1/sessions/${active.id}`, { apiKey: tenant.apiKey });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        status: 'active',
        lastActivityAt: active.last_activity_at.toISOString(),
        deadlineAt: deadline.toISOString(),
        warningAt: null,
      });

      const ended = await waitForEnded(active.id);
      expect(ended).toMatchObject({ end_reason: 'inactivity' });
      expect(ended.ended_at.toISOString()).toBe(deadline.toISOString());
      const description = await completedRun(active.id);
      // Never early, and at most one read late (the read is a local activity right after the timer).
      expect(description.closeTime!.getTime()).toBeGreaterThanOrEqual(deadline.getTime());
      expect(description.closeTime!.getTime() - deadline.getTime()).toBeLessThan(5_000);
      const events = (await lifecycle(active.id).fetchHistory()).events ?? [];
      expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
      // The run slept to the first deadline, read, slept to the moved one, read, ended: a handful of tasks.
      expect(events.filter((e) => e.workflowTaskCompletedEventAttributes).length).toBeLessThanOrEqual(6);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'a change of the channel timeout reaches its open sessions and their workflows: lengthened, then shortened back, it ends at the new deadline',
    async () => {
      const phone = '5511966660003';
      await deliver(channels.direct, customerMessage(phone));
      const session = await sessionOfPhone(phone);
      const longer = await h.call('PATCH', `/v1/channels/${channels.direct.id}`, {
        apiKey: tenant.apiKey,
        body: { sessionTimeoutSeconds: 3600 },
      });
      expect(longer.status).toBe(200);
      expect((await sessionOfPhone(phone)).timeout_seconds).toBe(3600);
      const longDeadline = new Date(session.last_activity_at.getTime() + 3600_000).toISOString();
      expect((await h.call('GET', `/v1/sessions/${session.id}`, { apiKey: tenant.apiKey })).body).toMatchObject({
        timeoutSeconds: 3600,
        deadlineAt: longDeadline,
      });
      await eventually(
        async () =>
          (await lifecycle(session.id).query(sessionStateQuery)).deadlineAt === longDeadline ? true : undefined,
        20_000,
        'workflow read the longer timeout',
      );
      // Past the old deadline: still open.
      const oldDeadline = session.last_activity_at.getTime() + TIMEOUT_SECONDS * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, oldDeadline + 1_000 - Date.now())));
      expect((await sessionOfPhone(phone)).status).toBe('active');

      // Back to the default: the workflow is told, reads the row, and ends the session at once at the
      // (past) deadline instead of sleeping for an hour.
      const back = await h.call('PATCH', `/v1/channels/${channels.direct.id}`, {
        apiKey: tenant.apiKey,
        body: { sessionTimeoutSeconds: null },
      });
      expect(back.status).toBe(200);
      const ended = await waitForEnded(session.id);
      expect(ended).toMatchObject({ end_reason: 'inactivity', timeout_seconds: TIMEOUT_SECONDS });
      expect(ended.ended_at.getTime()).toBe(oldDeadline);
      await completedRun(session.id);
    },
    CASE_TIMEOUT_MS,
  );
});
