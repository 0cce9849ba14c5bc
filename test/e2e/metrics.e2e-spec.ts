import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { signWahaBody } from '@app/inbound';
import { startTestWebhookReceiver, type TestWebhookReceiver } from '@app/webhook/testing';
import { createWahaSimulator, type WahaSimulator } from '../../apps/waha-simulator/src/simulator';
import { SimClient } from '../../apps/waha-simulator/src/testing/sim-client';
import { freePort, httpOk, ManagedProcess } from '../faults/support/managed-process';
import { freshWahaFixture } from '../fixtures/waha';
import { createTestDatabase } from '../support/database';
import { eventually } from '../support/nest';
import { TestEnv } from '../support/test-env';
import { familyOf, metricNamesInPromQL, parsePrometheusText, type Scrape } from '../support/prometheus-text';

/**
 * The metrics as Prometheus sees them: the api and the worker run as processes of their own (the
 * Temporal SDK runtime, whose Prometheus endpoint the worker installs, is one per process) on a
 * fresh database and namespace; a little real traffic goes through them (saga and direct inbound
 * messages, a manual session close, webhook deliveries to a healthy and a failing receiver, a
 * history import from the WAHA simulator); then /metrics of both and the SDK's endpoint are scraped
 * over HTTP. Every metric the Grafana dashboard and the alert rules use must be in a scrape, the
 * series the operators rely on must be there, and no label value may be a phone number or an id.
 */
const ROOT = join(__dirname, '..', '..');
const DASHBOARD = 'docker/observability/grafana-dashboard.json';
const ALERTS = 'docker/observability/prometheus-alerts.yaml';

describe('Prometheus metrics of the api and the worker (e2e, separate processes)', () => {
  let api: ManagedProcess;
  let worker: ManagedProcess;
  let apiUrl: string;
  let workerMetricsUrl: string;
  let sdkMetricsUrl: string;
  let simulator: WahaSimulator;
  const receivers: TestWebhookReceiver[] = [];
  const apiKey = `crm_metrics_${randomBytes(16).toString('hex')}`;
  let scrapes: { api: Scrape; worker: Scrape; sdk: Scrape };

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const scrape = async (url: string): Promise<Scrape> => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return parsePrometheusText(await res.text());
  };
  const createChannel = async (body: Record<string, unknown>): Promise<{ id: string; webhookSecret: string }> => {
    const res = await call('POST', '/v1/channels', {
      name: `Metrics ${randomBytes(3).toString('hex')}`,
      wahaBaseUrl: 'http://127.0.0.1:9',
      ...body,
    });
    if (res.status !== 201) throw new Error(`channel creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, webhookSecret: res.body.webhookSecret };
  };
  const postMessage = async (
    channel: { id: string; webhookSecret: string },
    phone: string,
  ): Promise<Record<string, any>> => {
    const body = freshWahaFixture('webhook-message-text', {
      rawId: `3EB0${randomBytes(9).toString('hex').toUpperCase()}`,
    });
    body.payload.from = `${phone}@c.us`;
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
    expect(res.status).toBe(202);
    return (await res.json()) as Record<string, any>;
  };

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    // Letters only: no label value of this run may look like a number or an id by accident.
    const namespace = `crm-metrics-${Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
    const common: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '5',
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      TEMPORAL_SDK_LOG_LEVEL: 'ERROR',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      WEBHOOK_TIMEOUT_MS: '2000',
      WAHA_ALLOWED_CIDRS: '127.0.0.0/8',
      INBOUND_MODE: 'saga',
      INBOUND_SAGA_PERCENT: '100',
    };
    const [healthPort, sdkPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const runTs = join(ROOT, 'test/support/run-ts.cjs');
    worker = new ManagedProcess(
      'worker',
      process.execPath,
      [runTs, 'apps/worker/src/main.ts'],
      {
        ...common,
        WORKER_HEALTH_PORT: String(healthPort),
        TEMPORAL_METRICS_HOST: '127.0.0.1',
        TEMPORAL_METRICS_PORT: String(sdkPort),
        WORKFLOW_BUNDLE_PATH: TestEnv.workflowBundlePath(),
        TEMPORAL_NAMESPACE_RETENTION_DAYS: '1',
      },
      () => httpOk(`http://127.0.0.1:${healthPort}/health/ready`),
    );
    apiUrl = `http://127.0.0.1:${apiPort}`;
    api = new ManagedProcess(
      'api',
      process.execPath,
      [runTs, 'apps/api/src/main.ts'],
      { ...common, PORT: String(apiPort), DEV_API_KEY: apiKey },
      () => httpOk(`${apiUrl}/health/ready`),
    );
    workerMetricsUrl = `http://127.0.0.1:${healthPort}/metrics`;
    sdkMetricsUrl = `http://127.0.0.1:${sdkPort}/metrics`;
    // The worker registers the namespace; the api starts workflows in it.
    await worker.start(120_000);
    await api.start(120_000);

    // Webhooks: one healthy endpoint, one failing (its deliveries fail and retry).
    const healthy = await startTestWebhookReceiver();
    const failing = await startTestWebhookReceiver({ status: 500 });
    receivers.push(healthy, failing);
    for (const url of [healthy.url('/ok'), failing.url('/failing')]) {
      expect(
        (await call('POST', '/v1/webhook-subscriptions', { url, eventTypes: ['session.*', 'message.*'] })).status,
      ).toBe(201);
    }

    // Inbound: two messages of one contact through the saga (in the worker), two in direct mode (in
    // the api), one after the other.
    const saga = await createChannel({ inboundMode: 'saga' });
    const direct = await createChannel({ inboundMode: 'direct' });
    const messageCount = async () => (await call('GET', '/v1/messages?limit=50')).body.data.length as number;
    for (const [channel, phone] of [
      [saga, '5521990000001'],
      [saga, '5521990000001'],
      [direct, '5521990000002'],
      [direct, '5521990000002'],
    ] as const) {
      const before = await messageCount();
      const accepted = await postMessage(channel, phone);
      expect(accepted.mode ?? 'direct').toBe(channel === saga ? 'saga' : 'direct');
      await eventually(
        async () => ((await messageCount()) > before ? true : undefined),
        60_000,
        'the message to be stored',
      );
    }

    // A manual close (through the lifecycle workflow, in the worker).
    const sessions = (await call('GET', `/v1/sessions?channelId=${saga.id}&status=active`)).body.data as {
      id: string;
    }[];
    expect(sessions).toHaveLength(1);
    expect((await call('POST', `/v1/sessions/${sessions[0]!.id}/close`)).status).toBe(200);

    // A history import from the simulator (WAHA calls, imported messages).
    simulator = await createWahaSimulator({ port: 0, logLevel: 'warn' });
    const sim = new SimClient(simulator.url);
    const imported = await createChannel({ wahaBaseUrl: simulator.url, wahaApiKey: 'sim-api-key' });
    expect(
      (
        await sim.post('/_sim/history-dataset', {
          chats: 2,
          messagesPerChat: 5,
          seed: 3,
          recentAnchorSeconds: Math.floor(Date.now() / 1000) - 60,
        })
      ).status,
    ).toBeLessThan(300);
    const run = await call('POST', `/v1/channels/${imported.id}/history-imports`, {});
    expect(run.status).toBe(202);
    await eventually(
      async () =>
        (await call('GET', `/v1/channels/${imported.id}/history-imports/${run.body.id}`)).body.status === 'completed'
          ? true
          : undefined,
      90_000,
      'the history import to complete',
    );

    // The deliveries: the healthy endpoint got its events, the failing one was tried.
    await eventually(
      async () => (healthy.received.length > 0 && failing.received.length > 0 ? true : undefined),
      30_000,
      'webhook deliveries',
    );
    await eventually(
      async () => {
        const worker = await scrape(workerMetricsUrl);
        return worker.value('crm_webhook_attempts_total', { outcome: 'retryable' }) > 0 &&
          worker.value('crm_sessions_ended_total', { reason: 'manual' }) > 0
          ? true
          : undefined;
      },
      30_000,
      'the worker to count the attempts and the close',
    );
    scrapes = {
      api: await scrape(`${apiUrl}/metrics`),
      worker: await scrape(workerMetricsUrl),
      sdk: await scrape(sdkMetricsUrl),
    };
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled([api?.stop('SIGTERM', 15_000), worker?.stop('SIGTERM', 30_000)]);
    await Promise.allSettled([...receivers.map((r) => r.close()), simulator?.close()]);
  });

  it('exports every metric the Grafana dashboard and the alert rules use', () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, DASHBOARD), 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const alerts = parseYaml(readFileSync(join(ROOT, ALERTS), 'utf8')) as {
      groups: {
        rules: {
          alert: string;
          expr: string;
          for?: string;
          labels?: { severity?: string };
          annotations?: { summary?: string };
        }[];
      }[];
    };
    for (const rule of alerts.groups.flatMap((group) => group.rules)) {
      expect({
        alert: rule.alert,
        severity: rule.labels?.severity,
        summary: typeof rule.annotations?.summary,
        for: typeof rule.for,
      }).toEqual({
        alert: expect.stringMatching(/^Crm[A-Za-z]+$/),
        severity: expect.stringMatching(/^(warning|critical)$/),
        summary: 'string',
        for: 'string',
      });
    }
    const expressions = [
      ...dashboard.panels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
      ),
      ...alerts.groups.flatMap((group) =>
        group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
      ),
    ];
    expect(expressions.length).toBeGreaterThan(20);
    const all = [scrapes.api, scrapes.worker, scrapes.sdk];
    const missing: string[] = [];
    for (const { where, expr } of expressions) {
      const names = metricNamesInPromQL(expr);
      if (names.length === 0) missing.push(`no metric at all (${where}: ${expr})`);
      for (const name of names) if (familyOf(name, all) === undefined) missing.push(`${name} (${where})`);
    }
    expect(missing).toEqual([]);
  });

  it('has the series operators rely on, with the traffic that made them', () => {
    const { api, worker, sdk } = scrapes;
    // Inbound: direct mode runs in the api, the saga's steps in the worker.
    expect(api.value('crm_inbound_messages_total', { mode: 'direct', outcome: 'stored' })).toBe(2);
    expect(api.value('crm_inbound_messages_total', { mode: 'direct', outcome: 'duplicate' })).toBe(0);
    expect(worker.value('crm_inbound_messages_total', { mode: 'saga', outcome: 'stored' })).toBe(2);
    expect(worker.value('crm_inbound_saga_duration_seconds_count', { outcome: 'completed' })).toBe(2);
    expect(worker.families()).toContain('crm_inbound_saga_compensations_total');
    // Sessions: the direct channel's session opened in the api, the saga's in the worker.
    expect(api.value('crm_sessions_opened_total')).toBe(1);
    expect(worker.value('crm_sessions_opened_total')).toBe(1);
    expect(worker.value('crm_sessions_ended_total', { reason: 'manual' })).toBe(1);
    expect(worker.families()).toEqual(
      expect.arrayContaining(['crm_session_warnings_total', 'crm_sessions_active', 'crm_sessions_overdue']),
    );
    // The database gauges, the same in both processes (one count of the same database).
    for (const scrape of [api, worker]) {
      expect(scrape.value('crm_system_gauges_up')).toBe(1);
      // The direct channel's session, and what the import left active.
      expect(scrape.value('crm_sessions_active')).toBeGreaterThanOrEqual(1);
      expect(scrape.value('crm_sessions_overdue')).toBe(0);
      expect(scrape.value('crm_history_imports_running')).toBe(0);
      for (const name of [
        'crm_outbox_pending_events',
        'crm_outbox_oldest_pending_age_seconds',
        'crm_outbox_dead_events',
        'crm_webhook_held_deliveries',
        'crm_webhook_disabled_subscriptions',
        'crm_waha_circuits_open',
      ]) {
        expect(scrape.families()).toContain(name);
      }
    }
    // Outbox and webhooks (the relay and the fan-out run in the worker).
    expect(worker.value('crm_outbox_published_total')).toBeGreaterThan(0);
    expect(worker.value('crm_outbox_publish_latency_seconds_count')).toBe(worker.value('crm_outbox_published_total'));
    expect(worker.value('crm_webhook_attempts_total', { outcome: 'delivered' })).toBeGreaterThan(0);
    expect(worker.value('crm_webhook_attempts_total', { outcome: 'retryable' })).toBeGreaterThan(0);
    expect(worker.value('crm_webhook_attempt_duration_seconds_count', { outcome: 'delivered' })).toBe(
      worker.value('crm_webhook_attempts_total', { outcome: 'delivered' }),
    );
    expect(worker.value('crm_webhook_deliveries_total', { outcome: 'delivered' })).toBeGreaterThan(0);
    // WAHA and the history import.
    expect(worker.value('crm_waha_calls_total', { operation: 'listChats', outcome: 'ok' })).toBeGreaterThan(0);
    expect(worker.value('crm_waha_calls_total', { operation: 'listChatMessages', outcome: 'ok' })).toBeGreaterThan(0);
    expect(worker.value('crm_history_import_messages_total', { outcome: 'imported' })).toBeGreaterThan(0);
    expect(worker.families()).toContain('crm_waha_circuit_open_channels');
    // The worker's own liveness per task queue, and the SDK's view of its pollers and slots.
    for (const queue of ['inbound', 'sessions', 'outbox', 'webhooks', 'history-import', 'automation']) {
      expect(worker.value('crm_worker_task_queue_running', { task_queue: queue })).toBe(1);
    }
    expect(sdk.families()).toEqual(
      expect.arrayContaining(['temporal_num_pollers', 'temporal_worker_task_slots_available']),
    );
  });

  it('labels no series with a phone number, an id or a tenant', () => {
    const offending: string[] = [];
    for (const [where, scrape] of Object.entries(scrapes)) {
      for (const series of scrape.series) {
        for (const [label, value] of Object.entries(series.labels)) {
          if (label === 'le' || label === 'quantile') continue; // bucket bounds and quantiles are numbers
          if (/\d{8,}/.test(value) || /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(value))
            offending.push(`${where}: ${series.name}{${label}="${value}"}`);
        }
      }
    }
    expect(scrapes.worker.series.length).toBeGreaterThan(100);
    expect(offending).toEqual([]);
  });
});
