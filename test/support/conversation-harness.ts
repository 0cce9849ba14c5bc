import { randomUUID } from 'node:crypto';
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Client } from '@temporalio/client';
import { TenantService } from '@app/tenant';
import { signWahaBody } from '@app/inbound';
import { TemporalClientProvider } from '@app/workflows';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createTestDatabase, ownerView } from './database';
import { type TestNamespace, TestEnv } from './test-env';

export interface HarnessChannel {
  id: string;
  webhookSecret: string;
}

/** The whole system in one process, against real components: the API on 127.0.0.1 and the worker
 *  (every task queue) in its own Temporal namespace, on a fresh database. */
export class ConversationHarness {
  private constructor(
    readonly api: INestApplication,
    readonly apiUrl: string,
    readonly worker: INestApplicationContext,
    readonly db: DataSource,
    readonly temporal: Client,
  ) {}

  static async start(namespace: TestNamespace, env: Record<string, string> = {}): Promise<ConversationHarness> {
    const suffix = randomUUID().slice(0, 8);
    Object.assign(process.env, {
      DATABASE_URL: await createTestDatabase(),
      DATABASE_POOL_SIZE: '10',
      TEMPORAL_ADDRESS: TestEnv.temporalAddress(),
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_ENSURE_NAMESPACE: 'false',
      WORKER_TASK_QUEUES: 'all',
      WORKER_HEALTH_PORT: '0',
      WORKFLOW_BUNDLE_PATH: TestEnv.workflowBundlePath(),
      OUTBOX_PROCESSOR_WORKFLOW_ID: `outbox-processor-${suffix}`,
      SESSION_CLEANUP_SCHEDULE_ID: `session-cleanup-${suffix}`,
      WEBHOOK_HELD_RELEASE_SCHEDULE_ID: `webhook-held-release-${suffix}`,
      LOG_LEVEL: 'silent',
      INBOUND_MODE: 'saga',
      INBOUND_SAGA_PERCENT: '100',
      // Channels' WAHA (the simulator, or the placeholder createChannel uses) listens on loopback.
      WAHA_ALLOWED_CIDRS: '127.0.0.1/32',
      // Suites poll the REST API every few milliseconds while they wait on a workflow; the per-key
      // rate limit (its own suite tests it) is not what they are about.
      API_RATE_LIMIT_PER_KEY: '1000000',
      ...env,
    });
    const workerRef = await Test.createTestingModule({ imports: [WorkerModule] }).compile();
    await workerRef.init();
    const api = await createApiApp({ logger: false });
    await api.listen(0, '127.0.0.1');
    return new ConversationHarness(
      api,
      await api.getUrl(),
      workerRef,
      await ownerView(api.get(DataSource)),
      workerRef.get(TemporalClientProvider).client,
    );
  }

  async close(): Promise<void> {
    await this.api.close();
    await this.worker.close();
  }

  async createTenant(name = 'Acme'): Promise<{ tenantId: string; apiKey: string }> {
    const issued = await this.api.get(TenantService).createTenant(name);
    return { tenantId: issued.tenant.id, apiKey: issued.apiKey };
  }

  /** Creates a channel through the REST API (as an operator would) and returns its webhook secret. */
  async createChannel(apiKey: string, body: Record<string, unknown> = {}): Promise<HarnessChannel> {
    const res = await this.call('POST', '/v1/channels', {
      apiKey,
      body: { name: `WhatsApp ${randomUUID().slice(0, 6)}`, wahaBaseUrl: 'http://127.0.0.1:1', ...body },
    });
    if (res.status !== 201) throw new Error(`channel creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, webhookSecret: res.body.webhookSecret };
  }

  /** POSTs a WAHA webhook body to the channel's receiver, signed like WAHA does (unless `signature` given). */
  async postWebhook(
    channel: HarnessChannel,
    body: unknown,
    signature?: string,
  ): Promise<{ status: number; body: Record<string, any> }> {
    const raw = JSON.stringify(body);
    const res = await fetch(`${this.apiUrl}/v1/channels/${channel.id}/waha/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-webhook-hmac': signature ?? signWahaBody(raw, channel.webhookSecret),
        'x-webhook-hmac-algorithm': 'sha512',
      },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  async call(
    method: string,
    path: string,
    opts: { apiKey?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: {
        ...(opts.apiKey ? { 'x-api-key': opts.apiKey } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Completes when the workflow has finished (whatever its outcome). */
  async workflowResult(workflowId: string): Promise<unknown> {
    return this.temporal.workflow.getHandle(workflowId).result();
  }

  query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.query(sql, params);
  }
}
