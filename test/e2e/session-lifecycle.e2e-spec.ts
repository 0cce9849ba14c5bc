import { register } from 'prom-client';
import { type SessionLifecycleState, inboundMessageWorkflowId, sessionStateQuery } from '@app/workflows';
import { createWahaSimulator, type WahaSimulator } from '../../apps/waha-simulator/src/simulator';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';
import { eventually } from '../support/nest';

/**
 * SessionLifecycleWorkflow end to end, with real components only: PostgreSQL, the Temporal dev
 * server, the API on 127.0.0.1, the worker, and the WAHA simulator as the channel's WAHA. Customer
 * messages enter through the simulator (/_sim/inbound -> signed webhooks -> our receiver -> saga);
 * the warning leaves through its /api/sendText, whose message.any echo and acks come back through
 * our receiver exactly as in production.
 *
 * The channel's timeouts: the REST API accepts no channel timeout under 60 s, so the channel leaves
 * its timeout unset and the system default (SESSION_DEFAULT_TIMEOUT_SECONDS) is made short; the
 * warning lead and text are the channel's own.
 */
const TIMEOUT_SECONDS = 10;
const WARNING_LEAD_SECONDS = 5;
const WARNING_TEXT = 'Are you still there?';
/** Waits for things that take about one session timeout (or several Temporal retries), with room for a loaded machine. */
const LONG_WAIT_MS = 45_000;
const CASE_TIMEOUT_MS = 90_000;

interface SentRecord {
  id: string;
  chatId: string;
  text: string;
  timestamp: number;
  request: Record<string, unknown>;
}

describe('session lifecycle (e2e, WAHA simulator)', () => {
  let h: ConversationHarness;
  let sim: WahaSimulator;
  let tenant: { tenantId: string; apiKey: string };
  let channel: HarnessChannel;
  /** Case 2's session, ended by inactivity; case 5 writes to its contact again. */
  let endedByInactivity: { sessionId: string; phone: string } | undefined;

  // ---- the simulator ----

  const simCall = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        'x-api-key': sim.settings.apiKey,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  /** A customer writes (WhatsApp time: the simulator's whole seconds). */
  const customerWrites = (phone: string, text: string) =>
    simCall<{ id: string; timestamp: number; chatId: string }>('POST', '/_sim/inbound', {
      from: phone,
      text,
      pushName: `Customer ${phone.slice(-4)}`,
    });
  /** Every sendText the simulator accepted for this chat. */
  const sentTo = async (phone: string) =>
    (await simCall<SentRecord[]>('GET', '/_sim/sent')).filter((s) => s.chatId === `${phone}@c.us`);
  const waitForSent = (phone: string, count: number) =>
    eventually(
      async () => {
        const sent = await sentTo(phone);
        return sent.length >= count ? sent : undefined;
      },
      LONG_WAIT_MS,
      `${count} message(s) sent to ${phone} through WAHA`,
    );

  // ---- our database and workflows ----

  const waitForMessage = (externalId: string) =>
    eventually(
      async () =>
        (
          await h.query(`SELECT * FROM messages WHERE channel_id = $1 AND external_id = $2`, [channel.id, externalId])
        )[0],
      20_000,
      `message ${externalId}`,
    );
  const outboundOf = (sessionId: string) =>
    h.query(`SELECT * FROM messages WHERE session_id = $1 AND direction = 'outbound' ORDER BY sent_at, created_at`, [
      sessionId,
    ]);
  const sessionRow = async (sessionId: string) =>
    (await h.query(`SELECT * FROM sessions WHERE id = $1`, [sessionId]))[0];
  const waitForEnded = (sessionId: string) =>
    eventually(
      async () => {
        const row = await sessionRow(sessionId);
        return row?.status === 'ended' ? row : undefined;
      },
      LONG_WAIT_MS,
      `session ${sessionId} ended`,
    );
  const eventsOf = (sessionId: string, type: string) =>
    h.query(
      `SELECT * FROM outbox_events WHERE aggregate_type = 'session' AND aggregate_id = $1 AND type = $2 ORDER BY occurred_at, created_at`,
      [sessionId, type],
    );
  const lifecycle = (sessionId: string) => h.temporal.workflow.getHandle(`session:${sessionId}`);
  const lifecycleState = (sessionId: string): Promise<SessionLifecycleState> =>
    lifecycle(sessionId).query(sessionStateQuery);
  /** The saga that handled one WAHA message (the customer's, or the echo of our own send). */
  const sagaResult = (externalId: string) =>
    eventually(
      async () => {
        try {
          return (await h.workflowResult(inboundMessageWorkflowId(channel.id, externalId))) as {
            sessionId: string;
            sessionOpened: boolean;
            messageCreated: boolean;
          };
        } catch (err) {
          if ((err as Error).name === 'WorkflowNotFoundError') return undefined;
          throw err;
        }
      },
      20_000,
      `saga of ${externalId}`,
    );
  const deadlineOf = (lastActivity: Date) => new Date(lastActivity.getTime() + TIMEOUT_SECONDS * 1000);
  const untilPast = async (instant: Date) => {
    const remaining = instant.getTime() - Date.now();
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
  };

  beforeAll(async () => {
    h = await ConversationHarness.start('crm-lifecycle', { SESSION_DEFAULT_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });
    sim = await createWahaSimulator({ port: 0, host: '127.0.0.1', logLevel: 'silent', ackDelayMs: 100 });
    tenant = await h.createTenant();
    channel = await h.createChannel(tenant.apiKey, {
      wahaBaseUrl: sim.url,
      wahaApiKey: sim.settings.apiKey,
      sessionWarningLeadSeconds: WARNING_LEAD_SECONDS,
      sessionWarningText: WARNING_TEXT,
    });
    // WAHA posts every event to the channel's receiver, signed with the channel's webhook secret.
    await simCall('POST', '/_sim/webhook', {
      url: `${h.apiUrl}/v1/channels/${channel.id}/waha/events`,
      hmacKey: channel.webhookSecret,
      retryDelayMs: 200,
    });
  }, CASE_TIMEOUT_MS);

  afterAll(async () => {
    await sim?.close();
    await h?.close();
  });

  /** A counter of this process's metrics (the harness's worker runs here). */
  const counter = async (name: string, labels: Record<string, string>): Promise<number> =>
    (await register.getSingleMetric(name)?.get())?.values.find((v) =>
      Object.entries(labels).every(([k, value]) => v.labels[k] === value),
    )?.value ?? 0;

  it('turns a customer message arriving through WAHA into a contact, a session with its lifecycle workflow, and a message', async () => {
    const phone = '5511977770001';
    const sent = await customerWrites(phone, 'Olá, preciso de ajuda');

    const message = await waitForMessage(sent.id);
    expect(message).toMatchObject({
      direction: 'inbound',
      type: 'text',
      status: 'received',
      text: 'Olá, preciso de ajuda',
    });
    expect(message.sent_at.getTime()).toBe(sent.timestamp * 1000);
    const [contact] = await h.query(`SELECT * FROM contacts WHERE id = $1`, [message.contact_id]);
    expect(contact).toMatchObject({ tenant_id: tenant.tenantId, phone, name: 'Customer 0001', source: 'whatsapp' });
    const session = await sessionRow(message.session_id);
    expect(session).toMatchObject({
      status: 'active',
      channel_id: channel.id,
      contact_id: contact.id,
      timeout_seconds: TIMEOUT_SECONDS,
      warning_lead_seconds: WARNING_LEAD_SECONDS,
    });
    expect(session.started_at.getTime()).toBe(message.sent_at.getTime());
    expect(session.last_activity_at.getTime()).toBe(message.sent_at.getTime());

    // WAHA posted the message both as `message` and `message.any`: one saga, one message.
    expect((await h.query(`SELECT count(*)::int AS n FROM messages WHERE contact_id = $1`, [contact.id]))[0].n).toBe(1);
    expect((await sagaResult(sent.id)).sessionOpened).toBe(true);

    const description = await lifecycle(session.id).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('SessionLifecycleWorkflow');
    const deadline = deadlineOf(message.sent_at);
    expect(await lifecycleState(session.id)).toMatchObject({
      sessionId: session.id,
      lastActivityAt: message.sent_at.toISOString(),
      deadlineAt: deadline.toISOString(),
      warningAt: new Date(deadline.getTime() - WARNING_LEAD_SECONDS * 1000).toISOString(),
    });
    const [started] = await eventsOf(session.id, 'session.started');
    expect(started.payload).toMatchObject({
      deadlineAt: deadline.toISOString(),
      timeoutSeconds: TIMEOUT_SECONDS,
      warningLeadSeconds: WARNING_LEAD_SECONDS,
    });
  });

  it(
    'warns once per idle period through WAHA, and still ends the session at last activity + timeout',
    async () => {
      const phone = '5511977770002';
      const [sentBefore, endedBefore] = [
        await counter('crm_session_warnings_total', { outcome: 'sent' }),
        await counter('crm_sessions_ended_total', { reason: 'inactivity' }),
      ];
      const sent = await customerWrites(phone, 'Quero saber do meu pedido');
      const inbound = await waitForMessage(sent.id);
      const sessionId: string = inbound.session_id;
      const deadline = deadlineOf(inbound.sent_at);
      const warnAt = new Date(deadline.getTime() - WARNING_LEAD_SECONDS * 1000);

      // The warning goes out through WAHA with the id we recorded it under.
      const [warningSent] = await waitForSent(phone, 1);
      expect(warningSent).toMatchObject({ text: WARNING_TEXT, session: 'default' });
      const [warning] = await eventually(
        async () => {
          const rows = await outboundOf(sessionId);
          return rows.length > 0 ? rows : undefined;
        },
        20_000,
        'the recorded warning',
      );
      expect(warning).toMatchObject({
        direction: 'outbound',
        type: 'text',
        text: WARNING_TEXT,
        contact_id: inbound.contact_id,
        external_id: warningSent.id,
      });
      expect(warningSent.request.id).toBe(warning.wa_raw_id);
      expect(warning.metadata).toMatchObject({ source: 'api', automated: 'session_timeout_warning' });
      expect(warning.sent_at.getTime()).toBeGreaterThanOrEqual(warnAt.getTime());

      // The echo (message.any, fromMe) came back through our receiver: its saga found the message
      // recorded, created nothing, opened nothing and moved no deadline.
      const echo = await sagaResult(warning.external_id);
      expect(echo).toMatchObject({ sessionId, sessionOpened: false, messageCreated: false });
      // The simulator's DEVICE and READ acks moved the recorded warning on.
      await eventually(
        async () => ((await waitForMessage(warning.external_id)).status === 'read' ? true : undefined),
        20_000,
        'warning read',
      );
      expect(await lifecycleState(sessionId)).toMatchObject({
        deadlineAt: deadline.toISOString(),
        lastActivityAt: inbound.sent_at.toISOString(),
        warningsSent: 1,
      });

      const ended = await waitForEnded(sessionId);
      const outcome = await h.workflowResult(`session:${sessionId}`);
      expect(outcome).toEqual({
        ended: true,
        status: 'ended',
        endReason: 'inactivity',
        endedAt: deadline.toISOString(),
        lastActivityAt: null,
        timeoutSeconds: TIMEOUT_SECONDS,
        warningLeadSeconds: WARNING_LEAD_SECONDS,
      });

      // Ended at the deadline of the customer's message; the warning moved nothing.
      expect(ended.end_reason).toBe('inactivity');
      expect(ended.ended_at.toISOString()).toBe(deadline.toISOString());
      expect(ended.last_activity_at.toISOString()).toBe(inbound.sent_at.toISOString());
      // The summary counts every message of the session, the warning included; an automated warning
      // is no reply, so there is no first response time.
      const expectedSummary = {
        messagesInbound: 1,
        messagesOutbound: 1,
        messagesTotal: 2,
        firstMessageAt: inbound.sent_at.toISOString(),
        lastMessageAt: warning.sent_at.toISOString(),
        durationSeconds: TIMEOUT_SECONDS,
        firstResponseSeconds: null,
      };
      expect(ended.summary).toEqual(expectedSummary);

      // Exactly one warning sent, one message recorded, one warning event; one end event.
      expect(await sentTo(phone)).toHaveLength(1);
      const outbound = await outboundOf(sessionId);
      expect(outbound).toHaveLength(1);
      expect(outbound[0]).toMatchObject({ id: warning.id, status: 'read', ack_level: 3 });
      // Acks only ever moved it forward (pending -> ... -> read).
      const changes = await h.query(
        `SELECT payload FROM outbox_events WHERE aggregate_id = $1 AND type = 'message.status_changed' ORDER BY occurred_at, created_at`,
        [warning.id],
      );
      const rank = ['pending', 'sent', 'delivered', 'read'];
      expect(changes[0].payload.from).toBe('pending');
      expect(changes.at(-1).payload.to).toBe('read');
      for (const { payload } of changes) expect(rank.indexOf(payload.to)).toBeGreaterThan(rank.indexOf(payload.from));
      expect(
        (await h.query(`SELECT count(*)::int AS n FROM messages WHERE contact_id = $1`, [inbound.contact_id]))[0].n,
      ).toBe(2);
      const warnings = await eventsOf(sessionId, 'session.timeout_warning');
      expect(warnings).toHaveLength(1);
      expect(warnings[0].payload).toMatchObject({
        deadlineAt: deadline.toISOString(),
        lastActivityAt: inbound.sent_at.toISOString(),
      });
      const endEvents = await eventsOf(sessionId, 'session.ended');
      expect(endEvents).toHaveLength(1);
      expect(endEvents[0].payload).toMatchObject({
        id: sessionId,
        status: 'ended',
        reason: 'inactivity',
        endedAt: deadline.toISOString(),
        summary: expectedSummary,
      });
      expect(endEvents[0].occurred_at.toISOString()).toBe(deadline.toISOString());
      // The worker (in this process) counted the warning and the end (other sessions of this suite may too).
      await eventually(
        async () =>
          (await counter('crm_session_warnings_total', { outcome: 'sent' })) > sentBefore ? true : undefined,
        5_000,
        'the warning counted',
      );
      await eventually(
        async () =>
          (await counter('crm_sessions_ended_total', { reason: 'inactivity' })) > endedBefore ? true : undefined,
        5_000,
        'the end counted',
      );

      endedByInactivity = { sessionId, phone };
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'lets customer activity after the warning move the deadline and allow a second warning; ends at the new deadline',
    async () => {
      const phone = '5511977770003';
      const first = await customerWrites(phone, 'Oi');
      const firstMessage = await waitForMessage(first.id);
      const sessionId: string = firstMessage.session_id;
      const firstDeadline = deadlineOf(firstMessage.sent_at);

      await waitForSent(phone, 1);
      await eventually(
        async () => ((await lifecycleState(sessionId)).warningsSent === 1 ? true : undefined),
        20_000,
        'first warning done',
      );

      // The customer answers the warning: a new idle period.
      const second = await customerWrites(phone, 'Ainda estou aqui');
      const secondMessage = await waitForMessage(second.id);
      expect(secondMessage.session_id).toBe(sessionId);
      const newDeadline = deadlineOf(secondMessage.sent_at);
      expect(newDeadline.getTime()).toBeGreaterThan(firstDeadline.getTime());
      expect((await sessionRow(sessionId)).last_activity_at.toISOString()).toBe(secondMessage.sent_at.toISOString());

      const sent = await waitForSent(phone, 2);
      expect(sent.map((s) => s.text)).toEqual([WARNING_TEXT, WARNING_TEXT]);
      expect(sent[0].id).not.toBe(sent[1].id);

      const ended = await waitForEnded(sessionId);
      expect(ended.end_reason).toBe('inactivity');
      expect(ended.ended_at.toISOString()).toBe(newDeadline.toISOString());
      expect(ended.last_activity_at.toISOString()).toBe(secondMessage.sent_at.toISOString());
      expect(await h.workflowResult(`session:${sessionId}`)).toMatchObject({
        ended: true,
        endReason: 'inactivity',
        endedAt: newDeadline.toISOString(),
      });

      // Two warnings, one per idle period, each recorded once under the id WAHA used.
      expect(await sentTo(phone)).toHaveLength(2);
      const outbound = await outboundOf(sessionId);
      expect(outbound.map((m) => m.external_id)).toEqual(sent.map((s) => s.id));
      expect(outbound[1].sent_at.getTime()).toBeGreaterThanOrEqual(newDeadline.getTime() - WARNING_LEAD_SECONDS * 1000);
      const warnings = await eventsOf(sessionId, 'session.timeout_warning');
      expect(warnings.map((w) => w.payload.deadlineAt)).toEqual([
        firstDeadline.toISOString(),
        newDeadline.toISOString(),
      ]);

      expect(ended.summary).toEqual({
        messagesInbound: 2,
        messagesOutbound: 2,
        messagesTotal: 4,
        firstMessageAt: firstMessage.sent_at.toISOString(),
        lastMessageAt: outbound[1].sent_at.toISOString(),
        durationSeconds: (newDeadline.getTime() - firstMessage.sent_at.getTime()) / 1000,
        firstResponseSeconds: null,
      });
      const endEvents = await eventsOf(sessionId, 'session.ended');
      expect(endEvents).toHaveLength(1);
      expect(endEvents[0].payload).toMatchObject({
        reason: 'inactivity',
        endedAt: newDeadline.toISOString(),
        summary: ended.summary,
      });
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'closes a session by hand while the workflow waits: ended manual, workflow completed, no warning afterwards',
    async () => {
      const phone = '5511977770004';
      const sent = await customerWrites(phone, 'Pode encerrar, obrigado');
      const message = await waitForMessage(sent.id);
      const sessionId: string = message.session_id;
      const deadline = deadlineOf(message.sent_at);
      expect((await lifecycle(sessionId).describe()).status.name).toBe('RUNNING');
      const sentBeforeClose = (await sentTo(phone)).length;
      expect(sentBeforeClose).toBe(0);

      const closed = await h.call('POST', `/v1/sessions/${sessionId}/close`, { apiKey: tenant.apiKey });
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ id: sessionId, status: 'ended', endReason: 'manual' });
      expect(closed.body.summary).toMatchObject({
        messagesInbound: 1,
        messagesOutbound: 0,
        messagesTotal: 1,
        firstResponseSeconds: null,
      });
      expect(await h.workflowResult(`session:${sessionId}`)).toMatchObject({
        ended: true,
        status: 'ended',
        endReason: 'manual',
        endedAt: closed.body.endedAt,
      });
      expect((await lifecycle(sessionId).describe()).status.name).toBe('COMPLETED');
      const row = await sessionRow(sessionId);
      expect(row).toMatchObject({ status: 'ended', end_reason: 'manual' });
      expect(row.ended_at.toISOString()).toBe(closed.body.endedAt);
      expect(row.ended_at.getTime()).toBeLessThan(deadline.getTime());

      // Let the warning time and the deadline pass: nothing more happens to the session.
      await untilPast(new Date(deadline.getTime() + 1000));
      expect(await sentTo(phone)).toHaveLength(sentBeforeClose);
      expect(await outboundOf(sessionId)).toHaveLength(0);
      expect(await eventsOf(sessionId, 'session.timeout_warning')).toHaveLength(0);
      const endEvents = await eventsOf(sessionId, 'session.ended');
      expect(endEvents).toHaveLength(1);
      expect(endEvents[0].payload).toMatchObject({ reason: 'manual', endedAt: closed.body.endedAt });
      expect(await sessionRow(sessionId)).toMatchObject({
        status: 'ended',
        end_reason: 'manual',
        ended_at: row.ended_at,
      });
      // Closing again changes nothing.
      const again = await h.call('POST', `/v1/sessions/${sessionId}/close`, { apiKey: tenant.apiKey });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'ended', endReason: 'manual', endedAt: closed.body.endedAt });
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'opens a new session for a message arriving after the session ended; the ended one is never reopened',
    async () => {
      if (!endedByInactivity) throw new Error('needs the session the warning case ended by inactivity');
      const { sessionId: endedId, phone } = endedByInactivity;
      const before = await sessionRow(endedId);
      expect(before).toMatchObject({ status: 'ended', end_reason: 'inactivity' });

      const sent = await customerWrites(phone, 'Voltei, ainda tenho dúvidas');
      const message = await waitForMessage(sent.id);
      expect(message.session_id).not.toBe(endedId);
      expect(message.contact_id).toBe(before.contact_id);
      expect(await sagaResult(sent.id)).toMatchObject({
        sessionId: message.session_id,
        sessionOpened: true,
        messageCreated: true,
      });

      const fresh = await sessionRow(message.session_id);
      expect(fresh).toMatchObject({
        status: 'active',
        contact_id: before.contact_id,
        channel_id: channel.id,
        timeout_seconds: TIMEOUT_SECONDS,
      });
      expect(fresh.started_at.toISOString()).toBe(message.sent_at.toISOString());
      expect((await lifecycle(fresh.id).describe()).status.name).toBe('RUNNING');
      expect((await lifecycle(endedId).describe()).status.name).toBe('COMPLETED');

      // The ended session is as it was: same end, same summary, no new messages.
      expect(await sessionRow(endedId)).toEqual(before);
      expect((await h.query(`SELECT count(*)::int AS n FROM messages WHERE session_id = $1`, [endedId]))[0].n).toBe(2);
      const sessions = await h.query(`SELECT id, status FROM sessions WHERE contact_id = $1 ORDER BY created_at`, [
        before.contact_id,
      ]);
      expect(sessions).toEqual([
        { id: endedId, status: 'ended' },
        { id: fresh.id, status: 'active' },
      ]);
      expect(await eventsOf(fresh.id, 'session.started')).toHaveLength(1);
      expect(await eventsOf(endedId, 'session.ended')).toHaveLength(1);

      // Close it, so that no warning of this session is due while the next case makes WAHA fail.
      expect((await h.call('POST', `/v1/sessions/${fresh.id}/close`, { apiKey: tenant.apiKey })).status).toBe(200);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'retries the warning while WAHA fails, sends it once when WAHA is back, and still ends the session',
    async () => {
      const phone = '5511977770006';
      const sent = await customerWrites(phone, 'Alguém aí?');
      const inbound = await waitForMessage(sent.id);
      const sessionId: string = inbound.session_id;
      const deadline = deadlineOf(inbound.sent_at);

      await simCall('POST', '/_sim/faults', { errorRate: 1, onlyPaths: ['/api/sendText'] });
      try {
        // Wait until the warning activity has failed twice against WAHA's 500s.
        const pending = await eventually(
          async () => {
            const description = await lifecycle(sessionId).describe();
            const activity = description.raw.pendingActivities?.find(
              (a) => a.activityType?.name === 'sendSessionTimeoutWarning',
            );
            return activity && (activity.attempt ?? 0) >= 3 ? activity : undefined;
          },
          LONG_WAIT_MS,
          'warning retried against a failing WAHA',
        );
        expect(pending.lastFailure?.message).toContain('500');
        expect(await sentTo(phone)).toHaveLength(0);
        // Recorded before the send, under the id every attempt reuses: one message, not yet sent.
        const recorded = await outboundOf(sessionId);
        expect(recorded).toHaveLength(1);
        expect(recorded[0]).toMatchObject({ text: WARNING_TEXT, status: 'pending' });
      } finally {
        await simCall('POST', '/_sim/faults', {});
      }

      const [warningSent] = await waitForSent(phone, 1);
      expect(warningSent.text).toBe(WARNING_TEXT);
      const ended = await waitForEnded(sessionId);
      expect(ended.end_reason).toBe('inactivity');
      expect(ended.ended_at.toISOString()).toBe(deadline.toISOString());
      expect(await h.workflowResult(`session:${sessionId}`)).toMatchObject({
        ended: true,
        endReason: 'inactivity',
        endedAt: deadline.toISOString(),
      });

      expect(await sentTo(phone)).toHaveLength(1);
      const outbound = await outboundOf(sessionId);
      expect(outbound).toHaveLength(1);
      expect(outbound[0].external_id).toBe(warningSent.id);
      await eventually(
        async () => ((await waitForMessage(warningSent.id)).status === 'read' ? true : undefined),
        20_000,
        'warning read',
      );
      expect(ended.summary).toMatchObject({
        messagesInbound: 1,
        messagesOutbound: 1,
        messagesTotal: 2,
        durationSeconds: TIMEOUT_SECONDS,
        firstResponseSeconds: null,
      });
      expect(await eventsOf(sessionId, 'session.ended')).toHaveLength(1);
      // The warning event is written only while the session has not expired: once, when the retried
      // send got through clearly before the deadline (the normal case); never more than once.
      const warnings = await eventsOf(sessionId, 'session.timeout_warning');
      if (warningSent.timestamp * 1000 + 1000 < deadline.getTime()) expect(warnings).toHaveLength(1);
      expect(warnings.length).toBeLessThanOrEqual(1);
      for (const w of warnings) expect(w.payload).toMatchObject({ deadlineAt: deadline.toISOString() });
    },
    CASE_TIMEOUT_MS,
  );

  // ---- warnings WAHA does not take: recorded, never repeated, never failing the workflow ----

  /** A customer writes with `faults` set on the simulator's sendText until the session has ended;
   *  returns what the case checks. */
  const withSendFaults = async (phone: string, faults: Record<string, unknown>) => {
    const sent = await customerWrites(phone, 'Olá?');
    const inbound = await waitForMessage(sent.id);
    const sessionId: string = inbound.session_id;
    await simCall('POST', '/_sim/faults', { onlyPaths: ['/api/sendText'], ...faults });
    try {
      const ended = await waitForEnded(sessionId);
      const description = await lifecycle(sessionId).describe();
      return {
        inbound,
        sessionId,
        ended,
        deadline: deadlineOf(inbound.sent_at),
        workflowStatus: description.status.name,
      };
    } finally {
      await simCall('POST', '/_sim/faults', {});
    }
  };
  const expectEndedByInactivityOnTime = async (run: Awaited<ReturnType<typeof withSendFaults>>) => {
    expect(run.ended).toMatchObject({ status: 'ended', end_reason: 'inactivity' });
    expect(run.ended.ended_at.toISOString()).toBe(run.deadline.toISOString());
    expect(run.ended.last_activity_at.toISOString()).toBe(run.inbound.sent_at.toISOString());
    expect(await h.workflowResult(`session:${run.sessionId}`)).toMatchObject({
      ended: true,
      endReason: 'inactivity',
      endedAt: run.deadline.toISOString(),
    });
    expect((await lifecycle(run.sessionId).describe()).status.name).toBe('COMPLETED');
    expect(await eventsOf(run.sessionId, 'session.ended')).toHaveLength(1);
  };

  it(
    'records a warning WAHA answers 404 (session logged out) as failed, sends nothing, and ends the session by inactivity on time',
    async () => {
      const phone = '5511977770007';
      const failedBefore = await counter('crm_session_warnings_total', { outcome: 'failed' });
      const run = await withSendFaults(phone, { errorRate: 1, errorStatus: 404 });
      await expectEndedByInactivityOnTime(run);
      expect(await sentTo(phone)).toHaveLength(0);
      const outbound = await outboundOf(run.sessionId);
      expect(outbound).toHaveLength(1);
      expect(outbound[0]).toMatchObject({ text: WARNING_TEXT, status: 'failed', ack_level: -1 });
      expect(await eventsOf(run.sessionId, 'session.timeout_warning')).toHaveLength(0);
      expect(await lifecycleState(run.sessionId)).toMatchObject({ warningsSent: 0, endReason: 'inactivity' });
      await eventually(
        async () =>
          (await counter('crm_session_warnings_total', { outcome: 'failed' })) > failedBefore ? true : undefined,
        5_000,
        'the failed warning counted',
      );
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'does not resend a warning WAHA sent but answered 500 for: the retry finds it by its id, one warning reaches the customer',
    async () => {
      const phone = '5511977770008';
      const run = await withSendFaults(phone, { errorRate: 1, afterHandling: true });
      await expectEndedByInactivityOnTime(run);
      const sent = await sentTo(phone);
      expect(sent).toHaveLength(1);
      const outbound = await outboundOf(run.sessionId);
      expect(outbound).toHaveLength(1);
      expect(outbound[0]).toMatchObject({ text: WARNING_TEXT, external_id: sent[0]!.id });
      await eventually(
        async () => ((await waitForMessage(sent[0]!.id)).status === 'read' ? true : undefined),
        20_000,
        'warning read',
      );
      expect(await eventsOf(run.sessionId, 'session.timeout_warning')).toHaveLength(1);
      expect(await lifecycleState(run.sessionId)).toMatchObject({ warningsSent: 1 });
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'gives up a warning whose sendText hangs at the deadline, never sends it twice, and still ends the session on time',
    async () => {
      const phone = '5511977770009';
      // WAHA takes the message and then hangs past our HTTP timeout (10 s) and the deadline (5 s away).
      const run = await withSendFaults(phone, { latencyMs: 12_000, afterHandling: true });
      await expectEndedByInactivityOnTime(run);
      // Ended when the deadline came, not after the hanging call.
      const closedAt = (await lifecycle(run.sessionId).describe()).closeTime!.getTime();
      expect(closedAt - run.deadline.getTime()).toBeLessThan(4_000);
      const sent = await sentTo(phone);
      expect(sent).toHaveLength(1);
      const outbound = await outboundOf(run.sessionId);
      expect(outbound).toHaveLength(1);
      // It did go out: WAHA's acks carried the record past `failed`.
      expect(outbound[0]!.external_id).toBe(sent[0]!.id);
      await eventually(
        async () => ((await waitForMessage(sent[0]!.id)).status === 'read' ? true : undefined),
        20_000,
        'warning read',
      );
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'takes the echo of a warning WAHA sent under its own id, arriving before sendText answers, for the warning: no activity, one record',
    async () => {
      const phone = '5511977770010';
      // The engine ignores the pre-generated id, and its message.any echo overtakes the answer.
      const run = await withSendFaults(phone, { ignoreMessageIds: true, latencyMs: 1_500, afterHandling: true });
      await expectEndedByInactivityOnTime(run);
      const sent = await sentTo(phone);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.id).not.toContain(String(sent[0]!.request.id));
      const outbound = await outboundOf(run.sessionId);
      expect(outbound).toHaveLength(1);
      expect(outbound[0]).toMatchObject({
        text: WARNING_TEXT,
        external_id: sent[0]!.id,
        metadata: { automated: 'session_timeout_warning' },
      });
      expect(await sagaResult(sent[0]!.id)).toMatchObject({
        sessionId: run.sessionId,
        sessionOpened: false,
        messageCreated: false,
      });
      expect(await eventsOf(run.sessionId, 'session.timeout_warning')).toHaveLength(1);
      expect(run.ended.summary).toMatchObject({ messagesInbound: 1, messagesOutbound: 1, firstResponseSeconds: null });
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'in direct inbound mode too, takes the early echo of a warning WAHA sent under its own id for the warning',
    async () => {
      const phone = '5511977770012';
      const patch = (inboundMode: 'direct' | null) =>
        h.call('PATCH', `/v1/channels/${channel.id}`, { apiKey: tenant.apiKey, body: { inboundMode } });
      expect((await patch('direct')).status).toBe(200);
      try {
        const run = await withSendFaults(phone, { ignoreMessageIds: true, latencyMs: 1_500, afterHandling: true });
        await expectEndedByInactivityOnTime(run);
        const sent = await sentTo(phone);
        expect(sent).toHaveLength(1);
        const outbound = await outboundOf(run.sessionId);
        expect(outbound).toHaveLength(1);
        expect(outbound[0]).toMatchObject({
          external_id: sent[0]!.id,
          metadata: { automated: 'session_timeout_warning' },
        });
        // No saga: the echo was handled in the receiver's transaction.
        await expect(h.workflowResult(inboundMessageWorkflowId(channel.id, sent[0]!.id))).rejects.toMatchObject({
          name: 'WorkflowNotFoundError',
        });
      } finally {
        expect((await patch(null)).status).toBe(200);
      }
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'never resends while it cannot tell whether WAHA sent the warning (the check fails too): one warning, the session ends on time',
    async () => {
      const phone = '5511977770013';
      // Every WAHA call fails with 500 after taking effect: the send goes out, the look-up by id fails.
      const run = await withSendFaults(phone, { errorRate: 1, afterHandling: true, onlyPaths: [] });
      await expectEndedByInactivityOnTime(run);
      const sent = await sentTo(phone);
      expect(sent).toHaveLength(1);
      const outbound = await outboundOf(run.sessionId);
      expect(outbound).toHaveLength(1);
      expect(outbound[0]!.external_id).toBe(sent[0]!.id);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'does not warn a customer whose later message the database has but the workflow not yet: warns and ends from that message',
    async () => {
      const phone = '5511977770011';
      const sent = await customerWrites(phone, 'Oi de novo');
      const inbound = await waitForMessage(sent.id);
      const sessionId: string = inbound.session_id;
      // A later message committed whose sessionActivity signal is still on its way: only the row moved.
      const later = new Date(inbound.sent_at.getTime() + 3_000);
      await h.query(`UPDATE sessions SET last_activity_at = $2 WHERE id = $1`, [sessionId, later]);
      const laterDeadline = deadlineOf(later);

      const ended = await waitForEnded(sessionId);
      expect(ended).toMatchObject({ end_reason: 'inactivity' });
      expect(ended.ended_at.toISOString()).toBe(laterDeadline.toISOString());
      expect(await h.workflowResult(`session:${sessionId}`)).toMatchObject({
        ended: true,
        endReason: 'inactivity',
        endedAt: laterDeadline.toISOString(),
      });
      // One warning, for the later period: none at the first message's warning time.
      const warningsSent = await sentTo(phone);
      expect(warningsSent).toHaveLength(1);
      expect(warningsSent[0]!.timestamp * 1000).toBeGreaterThanOrEqual(
        laterDeadline.getTime() - WARNING_LEAD_SECONDS * 1000 - 1_000,
      );
      const warnings = await eventsOf(sessionId, 'session.timeout_warning');
      expect(warnings).toHaveLength(1);
      expect(warnings[0].payload).toMatchObject({ deadlineAt: laterDeadline.toISOString() });
    },
    CASE_TIMEOUT_MS,
  );
});
