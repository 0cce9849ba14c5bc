import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { createWahaSimulator, type WahaSimulator } from '../../apps/waha-simulator/src/simulator';
import { SimClient } from '../../apps/waha-simulator/src/testing/sim-client';
import type { HistoryTruth } from '../../apps/waha-simulator/src/waha/history-dataset';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';
import { eventually } from '../support/nest';
import { TestEnv } from '../support/test-env';

/**
 * The WhatsApp history import end to end: the api, the worker (every queue), a real Temporal dev
 * server and PostgreSQL, and the WAHA simulator over HTTP serving a seeded data set by WAHA's paging,
 * filter and sort rules (equal seconds across page boundaries, twins, groups, bare and prefixed ids).
 * Counts are compared with the simulator's ground truth, never with what the importer reported.
 */
describe('history import (e2e)', () => {
  let h: ConversationHarness;
  let tenant: { tenantId: string; apiKey: string };
  const simulators: WahaSimulator[] = [];

  beforeAll(async () => {
    h = await ConversationHarness.start('crm-import', {
      HISTORY_IMPORT_PAGE_SIZE: '50',
      HISTORY_IMPORT_CONCURRENCY: '3',
      // Small runs, so the import continues as new (twice for 12 chats) with its progress carried.
      HISTORY_IMPORT_CHATS_PER_RUN: '5',
      WAHA_BREAKER_THRESHOLD: '4',
      WAHA_BREAKER_HALF_OPEN_AFTER_MS: '1500',
      WAHA_READ_RETRY_ATTEMPTS: '2',
      WAHA_READ_RETRY_BASE_DELAY_MS: '50',
      WAHA_RATE_LIMIT_PER_SECOND: '1000',
    });
    tenant = await h.createTenant();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await Promise.all(simulators.map((s) => s.close()));
  });

  interface Scenario {
    sim: SimClient;
    channel: HarnessChannel;
    truth: HistoryTruth;
  }

  /** A simulator with a data set, wired (webhooks, HMAC) to a new channel of the tenant. */
  const scenario = async (
    dataset: Record<string, unknown>,
    channelSettings: Record<string, unknown> = {},
  ): Promise<Scenario> => {
    const webhookSecret = randomBytes(24).toString('hex');
    const simulator = await createWahaSimulator({ port: 0, logLevel: 'warn' });
    simulators.push(simulator);
    const sim = new SimClient(simulator.url);
    const created = await h.call('POST', '/v1/channels', {
      apiKey: tenant.apiKey,
      body: {
        name: `Import ${randomBytes(3).toString('hex')}`,
        wahaBaseUrl: simulator.url,
        wahaApiKey: 'sim-api-key',
        webhookSecret,
        allowGroups: true,
        sessionTimeoutSeconds: 1800,
        ...channelSettings,
      },
    });
    expect(created.status).toBe(201);
    const channel = { id: created.body.id as string, webhookSecret };
    expect(
      (
        await sim.post('/_sim/webhook', {
          url: `${h.apiUrl}/v1/channels/${channel.id}/waha/events`,
          hmacKey: webhookSecret,
          retryDelayMs: 50,
        })
      ).status,
    ).toBeLessThan(300);
    expect((await sim.post('/_sim/history-dataset', dataset)).status).toBeLessThan(300);
    const truth = (await sim.get<HistoryTruth>('/_sim/history-dataset/truth')).body;
    return { sim, channel, truth };
  };

  const startImport = async (channel: HarnessChannel, body: Record<string, unknown> = {}) => {
    const res = await h.call('POST', `/v1/channels/${channel.id}/history-imports`, { apiKey: tenant.apiKey, body });
    expect(res.status).toBe(202);
    return res.body as { id: string; status: string; workflowId: string };
  };
  const getImport = async (channel: HarnessChannel, importId: string) => {
    const res = await h.call('GET', `/v1/channels/${channel.id}/history-imports/${importId}`, {
      apiKey: tenant.apiKey,
    });
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Polls until the import ended; every snapshot's counts must be at least the previous one's. */
  const waitForEnd = async (channel: HarnessChannel, importId: string, timeoutMs = 120_000) => {
    const seen: any[] = [];
    const ended = await eventually(
      async () => {
        const view = await getImport(channel, importId);
        seen.push(view);
        return view.status === 'running' ? undefined : view;
      },
      timeoutMs,
      `import ${importId} to end`,
    );
    for (let i = 1; i < seen.length; i++) {
      for (const key of [
        'chatsDone',
        'chatsFailed',
        'messagesImported',
        'messagesDuplicate',
        'messagesSkipped',
      ] as const) {
        if (seen[i][key] < seen[i - 1][key])
          throw new Error(
            `progress went back: ${key} ${seen[i - 1][key]} -> ${seen[i][key]} (${JSON.stringify(seen.map((s) => s[key]))})`,
          );
      }
    }
    return { ended, seen };
  };
  /** Replays the run's history against today's code (determinism), and with RECORD_HISTORIES=1
   *  stores it for the replay suite (test/replay/histories/<name>.json). */
  const checkHistory = async (name: string, workflowId: string, runId?: string) => {
    const history = await h.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: TestEnv.workflowBundlePath() } },
      history,
      `replay-${name}`,
    );
    if (process.env.RECORD_HISTORIES === '1') {
      const root = resolve(__dirname, '../..');
      writeFileSync(
        join(root, 'test/replay/histories', `${name}.json`),
        historyToJSON(history).split(`${root}/`).join(''),
      );
    }
  };
  const runsOf = async (workflowId: string) => {
    const runs: string[] = [];
    for await (const run of h.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
    return runs.reverse();
  };
  const messagesOf = (channelId: string) =>
    h.query<{ wa_raw_id: string; direction: string; sent_at: Date; phone: string; session_id: string }>(
      `SELECT m.wa_raw_id, m.direction, m.sent_at, c.phone, m.session_id FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.channel_id = $1`,
      [channelId],
    );

  it('imports a seeded history exactly: counts per contact, WhatsApp times and directions, sessions by the gap rule, one summary event per chat; a re-run imports nothing new', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { channel, truth } = await scenario({
      chats: 12,
      messagesPerChat: 120,
      seed: 7,
      recentAnchorSeconds: now - 60,
    });
    const started = await startImport(channel);
    expect(started.workflowId).toBe(`history-import:${channel.id}`);
    const { ended, seen } = await waitForEnd(channel, started.id);
    expect(seen.some((s) => s.source === 'live')).toBe(true);
    expect(ended).toMatchObject({
      status: 'completed',
      phase: 'completed',
      chatsTotal: 12,
      chatsDone: 12,
      chatsFailed: 0,
      failedChats: [],
      percent: 100,
    });

    const stored = await messagesOf(channel.id);
    const expectedMessages = truth.contacts.reduce((n, c) => n + c.distinctMessages, 0);
    expect(stored).toHaveLength(expectedMessages);
    expect(ended.messagesImported).toBe(expectedMessages);
    const byRaw = new Map(stored.map((m) => [m.wa_raw_id, m]));
    expect(byRaw.size).toBe(stored.length);
    for (const contact of truth.contacts) {
      const mine = stored.filter((m) => m.phone === contact.phone);
      expect({ phone: contact.phone, count: mine.length }).toEqual({
        phone: contact.phone,
        count: contact.distinctMessages,
      });
      for (const m of contact.messages) {
        const row = byRaw.get(m.fullId.split('_')[2]!);
        expect({ id: m.fullId, sentAt: row?.sent_at.toISOString(), direction: row?.direction }).toEqual({
          id: m.fullId,
          sentAt: new Date(m.timestamp * 1000).toISOString(),
          direction: m.direction,
        });
      }
      const sessions = await h.query(
        `SELECT s.* FROM sessions s JOIN contacts c ON c.id = s.contact_id WHERE s.channel_id = $1 AND c.phone = $2 ORDER BY s.started_at`,
        [channel.id, contact.phone],
      );
      expect({ phone: contact.phone, sessions: sessions.length }).toEqual({
        phone: contact.phone,
        sessions: contact.sessionsAt30MinGap,
      });
      const first = sessions[0];
      expect(first.started_at.toISOString()).toBe(new Date(contact.oldestTimestamp * 1000).toISOString());
      for (const s of sessions.slice(0, -1)) {
        expect(s).toMatchObject({ status: 'ended', end_reason: 'import' });
        expect(s.ended_at.toISOString()).toBe(new Date(s.last_activity_at.getTime() + 1800_000).toISOString());
        const [counts] = await h.query(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE direction = 'inbound')::int AS inbound, max(sent_at) AS last FROM messages WHERE session_id = $1`,
          [s.id],
        );
        expect(s.summary).toMatchObject({
          messagesTotal: counts.n,
          messagesInbound: counts.inbound,
          lastMessageAt: counts.last.toISOString(),
        });
      }
    }
    // The newest chat's conversation is recent: its session stays active, watched by its lifecycle workflow.
    const recent = truth.contacts.find((c) => c.phone === truth.chats[0]!.phone)!;
    const [active] = await h.query(
      `SELECT s.id, s.last_activity_at FROM sessions s JOIN contacts c ON c.id = s.contact_id WHERE s.channel_id = $1 AND c.phone = $2 AND s.status = 'active'`,
      [channel.id, recent.phone],
    );
    expect(active.last_activity_at.toISOString()).toBe(new Date(recent.newestTimestamp * 1000).toISOString());
    expect((await h.temporal.workflow.getHandle(`session:${active.id}`).describe()).status.name).toBe('RUNNING');
    expect(ended.sessionsActive).toBeGreaterThanOrEqual(1);

    const [{ empty }] = await h.query(
      `SELECT count(*)::int AS empty FROM sessions s WHERE s.channel_id = $1 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.id)`,
      [channel.id],
    );
    expect(empty).toBe(0);
    const events = await h.query<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM outbox_events WHERE tenant_id = $1 AND (payload->>'channelId' = $2 OR payload->'data'->>'channelId' = $2 OR aggregate_id = $3) GROUP BY type ORDER BY type`,
      [tenant.tenantId, channel.id, started.id],
    );
    const count = (type: string) => events.find((e) => e.type === type)?.n ?? 0;
    expect(count('message.imported')).toBe(12);
    expect(count('history_import.started')).toBe(1);
    expect(count('history_import.completed')).toBe(1);
    // Imported history raises no per-message events.
    const [{ created }] = await h.query(
      `SELECT count(*)::int AS created FROM outbox_events WHERE type = 'message.created' AND payload->>'channelId' = $1`,
      [channel.id],
    );
    expect(created).toBe(0);
    const [{ staged }] = await h.query(
      `SELECT count(*)::int AS staged FROM history_import_messages WHERE channel_id = $1`,
      [channel.id],
    );
    expect(staged).toBe(0);

    // Three runs (12 chats, 5 per run): the first, and one that continued as new with progress carried.
    const runs = await eventually(
      async () => {
        const ids = await runsOf(started.workflowId);
        return ids.length >= 3 ? ids : undefined;
      },
      30_000,
      'the import runs in visibility',
    );
    await checkHistory('WAHAHistoryImportWorkflow', started.workflowId, runs[0]);
    await checkHistory('WAHAHistoryImportWorkflow.continued', started.workflowId, runs[runs.length - 1]);
    await checkHistory('ImportChatHistoryWorkflow', `history-import:${channel.id}:${truth.chats[0]!.chatId}`);

    // Again, over the whole range: everything is already there.
    const again = await startImport(channel, { days: 3650 });
    const rerun = (await waitForEnd(channel, again.id)).ended;
    expect(rerun).toMatchObject({ status: 'completed', messagesImported: 0, chatsDone: 12 });
    expect(rerun.messagesDuplicate).toBeGreaterThanOrEqual(expectedMessages);
    expect(await messagesOf(channel.id)).toHaveLength(expectedMessages);
    const list = await h.call('GET', `/v1/channels/${channel.id}/history-imports?limit=1`, { apiKey: tenant.apiKey });
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([again.id]);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    const next = await h.call(
      'GET',
      `/v1/channels/${channel.id}/history-imports?limit=1&cursor=${list.body.nextCursor}`,
      { apiKey: tenant.apiKey },
    );
    expect(next.body.data.map((i: { id: string }) => i.id)).toEqual([started.id]);
  }, 240_000);

  it('buffers live webhooks that arrive during the import and applies them after it, in arrival order, once; a message both carry is one message', async () => {
    const { sim, channel } = await scenario({ chats: 4, messagesPerChat: 60, seed: 11 });
    // Slow pages keep the import running while the live traffic arrives.
    await sim.post('/_sim/faults', { latencyMs: 400, onlyPaths: ['/api/default/chats/*/messages'] });
    const started = await startImport(channel);
    await eventually(
      async () => ((await getImport(channel, started.id)).phase === 'importing_chats' ? true : undefined),
      30_000,
      'import to page chats',
    );

    const livePhone = '5521987650001';
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await sim.post<{ id: string }>('/_sim/inbound', {
        from: `${livePhone}@c.us`,
        text: `live ${i}`,
        pushName: 'Live Person',
      });
      expect(res.status).toBeLessThan(300);
      sent.push(res.body.id);
    }
    // A message of the past that reaches both: stored in WAHA's history and posted as a webhook.
    const oldAt = Math.floor(Date.now() / 1000) - 3 * 86_400;
    const both = await sim.post<{ id: string }>('/_sim/inbound', {
      from: '5521987650002@c.us',
      text: 'old and live',
      timestamp: oldAt,
    });
    expect(both.status).toBeLessThan(300);
    const [{ buffered }] = await eventually(
      async () => {
        const rows = await h.query(
          `SELECT count(*)::int AS buffered FROM buffered_webhook_events WHERE channel_id = $1`,
          [channel.id],
        );
        return rows[0].buffered >= 12 ? rows : undefined;
      },
      20_000,
      'webhooks buffered (message and message.any of 6 messages)',
    );
    expect(buffered).toBeGreaterThanOrEqual(12);
    // WAHA posts webhooks concurrently, so arrival order is the buffer's order, not the send order.
    const bufferedRows = await h.query<{ id: string; body: string }>(
      `SELECT id, body FROM buffered_webhook_events WHERE channel_id = $1 ORDER BY id`,
      [channel.id],
    );
    const arrival = bufferedRows
      .map((r) => (JSON.parse(r.body) as { payload: { body?: string } }).payload.body)
      .filter((text): text is string => typeof text === 'string' && text.startsWith('live '));
    const arrivalOrder = [...new Set(arrival)];
    expect([...arrivalOrder].sort()).toEqual(['live 0', 'live 1', 'live 2', 'live 3', 'live 4']);
    const [{ live }] = await h.query(
      `SELECT count(*)::int AS live FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.channel_id = $1 AND c.phone = $2`,
      [channel.id, livePhone],
    );
    expect(live).toBe(0);

    await sim.post('/_sim/faults', {});
    const { ended } = await waitForEnd(channel, started.id);
    expect(ended.status).toBe('completed');
    expect(ended.webhooksReplayed).toBeGreaterThanOrEqual(12);
    const liveRows = await h.query(
      `SELECT m.text, m.wa_raw_id, m.created_at FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.channel_id = $1 AND c.phone = $2 ORDER BY m.created_at, m.id`,
      [channel.id, livePhone],
    );
    const seenBuffer = bufferedRows.map((r) => {
      const b = JSON.parse(r.body) as { event: string; payload: { body?: string } };
      return `${r.id}:${b.event}:${b.payload.body}`;
    });
    if (JSON.stringify(liveRows.map((r) => r.text)) !== JSON.stringify(arrivalOrder)) {
      throw new Error(
        `replayed out of arrival order: ${JSON.stringify({ stored: liveRows.map((r) => [r.text, r.created_at]), buffer: seenBuffer })}`,
      );
    }
    const [{ n }] = await h.query(
      `SELECT count(*)::int AS n FROM messages WHERE channel_id = $1 AND text = 'old and live'`,
      [channel.id],
    );
    expect(n).toBe(1);
    const [{ left }] = await h.query(
      `SELECT count(*)::int AS left FROM buffered_webhook_events WHERE channel_id = $1`,
      [channel.id],
    );
    expect(left).toBe(0);
    // Buffering is over: the next webhook is processed at once.
    const after = await sim.post<{ id: string }>('/_sim/inbound', {
      from: `${livePhone}@c.us`,
      text: 'after the import',
    });
    expect(after.status).toBeLessThan(300);
    await eventually(
      async () => {
        const rows = await h.query(`SELECT 1 FROM messages WHERE channel_id = $1 AND text = 'after the import'`, [
          channel.id,
        ]);
        return rows.length === 1 ? true : undefined;
      },
      30_000,
      'the live message after the import',
    );
  }, 180_000);

  it('cancel mid-way stops cleanly: state cancelled, every chat done or resumable from its cursor, what was imported consolidated; a second start meanwhile answers 409', async () => {
    const { sim, channel } = await scenario({ chats: 8, messagesPerChat: 200, seed: 3 });
    await sim.post('/_sim/faults', { latencyMs: 300, onlyPaths: ['/api/default/chats/*/messages'] });
    const started = await startImport(channel);
    const second = await h.call('POST', `/v1/channels/${channel.id}/history-imports`, {
      apiKey: tenant.apiKey,
      body: {},
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'HISTORY_IMPORT.ALREADY_RUNNING', runningImportId: started.id });
    await eventually(
      async () => ((await getImport(channel, started.id)).messagesImported > 0 ? true : undefined),
      60_000,
      'some messages imported',
    );

    const cancel = await h.call('DELETE', `/v1/channels/${channel.id}/history-imports/${started.id}`, {
      apiKey: tenant.apiKey,
    });
    expect(cancel.status).toBe(202);
    const { ended } = await waitForEnd(channel, started.id);
    expect(ended.status).toBe('cancelled');
    const chats = await h.query(
      `SELECT chat_id, status, cursor, messages_imported FROM history_import_chats WHERE import_id = $1`,
      [started.id],
    );
    expect(chats).toHaveLength(8);
    expect(chats.some((c) => c.status !== 'done')).toBe(true);
    const childStatus = async (chatId: string) => {
      const d = await h.temporal.workflow
        .getHandle(`history-import:${channel.id}:${chatId}`)
        .describe()
        .catch((e: Error) => ({ status: { name: e.message } }));
      return d.status.name;
    };
    for (const chat of chats) {
      if (chat.status === 'running')
        throw new Error(
          `chat left running: ${JSON.stringify({ chat, child: await childStatus(chat.chat_id), completedAt: ended.completedAt, row: (await h.query(`SELECT status, updated_at, pages FROM history_import_chats WHERE import_id = $1 AND chat_id = $2`, [started.id, chat.chat_id]))[0], history: (await h.temporal.workflow.getHandle(`history-import:${channel.id}:${chat.chat_id}`).fetchHistory()).events?.map((e) => `${e.eventId}:${e.eventType}:${e.eventTime?.seconds}`) })}`,
        );
      if (chat.status === 'done') expect(chat.cursor).toMatchObject({ done: true });
      else if (chat.messages_imported > 0)
        expect({ chat: chat.chat_id, status: chat.status, cursor: chat.cursor }).toMatchObject({
          status: 'cancelled',
          cursor: { done: false, upTo: expect.any(Number) },
        });
      else expect(['pending', 'cancelled']).toContain(chat.status);
    }
    const imported = chats.reduce((n, c) => n + c.messages_imported, 0);
    expect((await messagesOf(channel.id)).length).toBe(imported);
    const [{ staged }] = await h.query(
      `SELECT count(*)::int AS staged FROM history_import_messages WHERE channel_id = $1`,
      [channel.id],
    );
    expect(staged).toBe(0);
    const [run] = await h.query(`SELECT buffering FROM history_imports WHERE id = $1`, [started.id]);
    expect(run.buffering).toBe(false);
    const again = await h.call('DELETE', `/v1/channels/${channel.id}/history-imports/${started.id}`, {
      apiKey: tenant.apiKey,
    });
    expect(again.status).toBe(409);
    await checkHistory('WAHAHistoryImportWorkflow.cancelled', started.workflowId);
  }, 180_000);

  it("retries WAHA's 429 (Retry-After) and 5xx answers, and opens the channel's breaker on a run of failures and closes it again; counts stay exact", async () => {
    const { sim, channel, truth } = await scenario({ chats: 3, messagesPerChat: 80, seed: 5 });
    const messagesPath = '/api/default/chats/*/messages';
    await sim.post('/_sim/faults', {
      failNext: { count: 3, status: 429, retryAfterSeconds: 1, onlyPaths: [messagesPath] },
    });
    const first = await startImport(channel);
    const firstEnded = (await waitForEnd(channel, first.id)).ended;
    expect({
      ...firstEnded,
      chats: await h.query(`SELECT * FROM history_import_chats WHERE import_id = $1`, [first.id]),
    }).toMatchObject({ status: 'completed', chatsFailed: 0, chatsTotal: 3 });
    const expected = truth.contacts.reduce((n, c) => n + c.distinctMessages, 0);
    expect(await messagesOf(channel.id)).toHaveLength(expected);
    const served = (
      await sim.get<{ byStatus?: Record<string, number>; total?: number }>(
        `/_sim/requests?path=${encodeURIComponent(messagesPath)}`,
      )
    ).body;
    expect(JSON.stringify(served)).toContain('429');

    // Enough 503s in a row to open the breaker (threshold 4), then WAHA recovers: the breaker's
    // test call succeeds and closes it.
    await sim.post('/_sim/faults', { failNext: { count: 6, status: 503, onlyPaths: [messagesPath] } });
    const second = await startImport(channel, { days: 3650 });
    const opened = await eventually(
      async () => {
        const res = await h.call('GET', `/v1/channels/${channel.id}`, { apiKey: tenant.apiKey });
        return res.body.wahaCircuit?.state === 'open' ? res.body.wahaCircuit : undefined;
      },
      60_000,
      'the breaker to open',
    );
    expect(opened.lastFailure).toEqual(expect.any(String));
    const { ended } = await waitForEnd(channel, second.id);
    expect(ended).toMatchObject({ status: 'completed', chatsFailed: 0, messagesImported: 0 });
    const closed = await h.call('GET', `/v1/channels/${channel.id}`, { apiKey: tenant.apiKey });
    expect(closed.body.wahaCircuit.state).toBe('closed');
    expect(await messagesOf(channel.id)).toHaveLength(expected);
  }, 180_000);

  it('records a chat that keeps failing and reports it, without failing the import', async () => {
    const { sim, channel, truth } = await scenario({ chats: 4, messagesPerChat: 20, seed: 13 });
    const broken = truth.chats[1]!;
    // WAHA answers this chat's history with 404 (the chat is gone): final, no retry helps.
    await sim.post('/_sim/faults', {
      failNext: { count: 1000, status: 404, onlyPaths: [`/api/default/chats/${broken.chatId}/messages`] },
    });
    const started = await startImport(channel);
    const { ended } = await waitForEnd(channel, started.id);
    expect(ended).toMatchObject({
      status: 'completed',
      chatsTotal: 4,
      chatsDone: 3,
      chatsFailed: 1,
      failedChats: [{ chatId: broken.chatId, error: expect.stringContaining('404') }],
    });
    const [chat] = await h.query(
      `SELECT status, error FROM history_import_chats WHERE import_id = $1 AND chat_id = $2`,
      [started.id, broken.chatId],
    );
    expect(chat).toMatchObject({ status: 'failed', error: expect.stringContaining('404') });
    const others = truth.chats.filter((c) => c.chatId !== broken.chatId).reduce((n, c) => n + c.distinctMessages, 0);
    expect(ended.messagesImported).toBe(others);
  }, 120_000);

  it('on a channel without groups, leaves group chats out (counted as skipped) and imports the rest exactly', async () => {
    const { channel, truth } = await scenario({ chats: 10, messagesPerChat: 30, seed: 9 }, { allowGroups: false });
    const groups = truth.chats.filter((c) => c.kind === 'group');
    expect(groups.length).toBeGreaterThan(0);
    const started = await startImport(channel);
    const { ended } = await waitForEnd(channel, started.id);
    const oneToOne = truth.chats.filter((c) => c.kind !== 'group').reduce((n, c) => n + c.distinctMessages, 0);
    expect(ended).toMatchObject({ status: 'completed', messagesImported: oneToOne });
    expect(ended.messagesSkipped).toBeGreaterThanOrEqual(groups.reduce((n, c) => n + c.distinctMessages, 0));
    const [{ grouped }] = await h.query(
      `SELECT count(*)::int AS grouped FROM messages WHERE channel_id = $1 AND metadata->>'groupChatId' IS NOT NULL`,
      [channel.id],
    );
    expect(grouped).toBe(0);
    expect(await messagesOf(channel.id)).toHaveLength(oneToOne);
  }, 120_000);

  it('answers clear errors: 400 naming the field, 404 for an unknown channel or import', async () => {
    const { channel } = await scenario({ chats: 1, messagesPerChat: 1, seed: 1 });
    const bad = await h.call('POST', `/v1/channels/${channel.id}/history-imports`, {
      apiKey: tenant.apiKey,
      body: { days: 0 },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('days');
    const unknownChannel = await h.call('POST', `/v1/channels/00000000-0000-4000-8000-000000000000/history-imports`, {
      apiKey: tenant.apiKey,
      body: {},
    });
    expect(unknownChannel.status).toBe(404);
    const unknownImport = await h.call(
      'GET',
      `/v1/channels/${channel.id}/history-imports/00000000-0000-4000-8000-000000000000`,
      { apiKey: tenant.apiKey },
    );
    expect(unknownImport.status).toBe(404);
    const notUuid = await h.call('GET', `/v1/channels/${channel.id}/history-imports/nope`, { apiKey: tenant.apiKey });
    expect(notUuid.status).toBe(400);
  }, 60_000);
});
