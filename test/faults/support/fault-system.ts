import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { OwnedPostgres } from '../../support/owned-postgres';
import { freePort, httpOk, ManagedProcess } from './managed-process';
import { OwnedTemporal } from './owned-temporal';

const ROOT = resolve(__dirname, '../../..');
const DIST = join(ROOT, 'dist');

export interface FaultSystemOptions {
  apis?: number;
  workers?: number;
  /** Extra environment of both apps (session timeouts, ...). */
  env?: Record<string, string>;
}

export interface FaultChannel {
  id: string;
  webhookSecret: string;
  mode: 'saga' | 'direct';
}

/**
 * The whole system as separate processes on loopback, each one the test can kill: an owned
 * PostgreSQL, an owned Temporal dev server (persistent file), N api and M worker processes from the
 * built output (`dist/`), restarted like a container runtime would when they crash on their own.
 */
export class FaultSystem {
  private constructor(
    /** The dev tenant's key (DEV_API_KEY): every channel of the test lives in that tenant. */
    readonly apiKey: string,
    readonly postgres: OwnedPostgres,
    readonly temporal: OwnedTemporal,
    readonly databaseUrl: string,
    readonly apis: ManagedProcess[],
    readonly apiUrls: string[],
    readonly workers: ManagedProcess[],
    readonly db: Pool,
    readonly temporalClient: TemporalClient,
    private readonly temporalConnection: Connection,
  ) {}

  static async start(options: FaultSystemOptions = {}): Promise<FaultSystem> {
    const bundle = process.env.FAULTS_WORKFLOW_BUNDLE_PATH;
    if (!bundle)
      throw new Error(
        'FAULTS_WORKFLOW_BUNDLE_PATH is not set: run through jest.faults.config.js so its global setup runs',
      );
    const postgres = await OwnedPostgres.create({ maxConnections: 300 });
    const databaseUrl = await postgres.createDatabase('crm');
    execFileSync(process.execPath, [join(DIST, 'libs/database/src/migrate.js')], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      stdio: 'pipe',
    });
    const temporal = await OwnedTemporal.start();

    const apiKey = `crm_fault_${randomBytes(16).toString('hex')}`;
    const common: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '10',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      LOG_LEVEL: 'warn',
      TEMPORAL_SDK_LOG_LEVEL: 'ERROR',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      // The channels' WAHA (the simulator, or a placeholder) listens on loopback.
      WAHA_ALLOWED_CIDRS: '127.0.0.0/8',
      // No Service to leave here: stop at once on SIGTERM (the graceful-shutdown case sets its own).
      SHUTDOWN_READINESS_DELAY_MS: '0',
      ...options.env,
    };
    const apis: ManagedProcess[] = [];
    const apiUrls: string[] = [];
    for (let i = 0; i < (options.apis ?? 1); i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      apis.push(
        new ManagedProcess(
          `api-${i + 1}`,
          process.execPath,
          [join(DIST, 'apps/api/src/main.js')],
          { ...common, PORT: String(port), DEV_API_KEY: apiKey },
          () => httpOk(`${url}/health/live`),
          true,
        ),
      );
      apiUrls.push(url);
    }
    const workers: ManagedProcess[] = [];
    for (let i = 0; i < (options.workers ?? 1); i++) {
      const healthPort = await freePort();
      const env = {
        ...common,
        WORKER_HEALTH_PORT: String(healthPort),
        TEMPORAL_METRICS_PORT: String(await freePort()),
        WORKFLOW_BUNDLE_PATH: bundle,
      };
      workers.push(
        new ManagedProcess(
          `worker-${i + 1}`,
          process.execPath,
          [join(DIST, 'apps/worker/src/main.js')],
          env,
          () => httpOk(`http://127.0.0.1:${healthPort}/health/ready`),
          true,
        ),
      );
    }
    // The first api creates the dev tenant; the others find it.
    await apis[0]!.start();
    await Promise.all([...apis.slice(1).map((a) => a.start()), ...workers.map((w) => w.start())]);

    const db = new Pool({ connectionString: databaseUrl, max: 4 });
    db.on('error', () => undefined); // the outage test stops the server under it
    const connection = await Connection.connect({ address: temporal.address });
    const system = new FaultSystem(
      apiKey,
      postgres,
      temporal,
      databaseUrl,
      apis,
      apiUrls,
      workers,
      db,
      new TemporalClient({ connection, namespace: 'default' }),
      connection,
    );
    return system;
  }

  get worker(): ManagedProcess {
    return this.workers[0]!;
  }

  /** A channel created through the REST API, as an operator would. */
  async createChannel(mode: 'saga' | 'direct', settings: Record<string, unknown> = {}): Promise<FaultChannel> {
    const res = await this.call('POST', '/v1/channels', {
      name: `Fault ${mode} ${randomBytes(3).toString('hex')}`,
      wahaBaseUrl: 'http://127.0.0.1:9',
      inboundMode: mode,
      ...settings,
    });
    if (res.status !== 201) throw new Error(`channel creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, webhookSecret: res.body.webhookSecret, mode };
  }

  async call(method: string, path: string, body?: unknown, apiIndex = 0): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.apiUrls[apiIndex]}${path}`, {
      method,
      headers: { 'x-api-key': this.apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.query(sql, params).then((r) => r.rows as T[]);
  }

  /** Exits of app processes nobody asked for, per process (they were restarted). */
  crashes(): Record<string, string[]> {
    return Object.fromEntries(
      [...this.apis, ...this.workers].filter((p) => p.crashes.length > 0).map((p) => [p.name, p.crashes]),
    );
  }

  /** The tail of every process's output, for a failing test. */
  output(): string {
    return [...this.apis, ...this.workers].map((p) => p.output()).join('\n') + '\n' + this.temporal.output();
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.apis, ...this.workers].map((p) => p.stop('SIGTERM', 15_000)));
    await this.db.end().catch(() => undefined);
    await this.temporalConnection.close().catch(() => undefined);
    await this.temporal.destroy().catch(() => undefined);
    await this.postgres.destroy().catch(() => undefined);
  }
}
