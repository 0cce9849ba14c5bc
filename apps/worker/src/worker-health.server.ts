import { createServer, Server } from 'node:http';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, register } from 'prom-client';
import { workerConfig, WorkerConfig } from './worker.config';
import { TemporalWorkerHost } from './temporal-worker.host';

collectDefaultMetrics({ prefix: 'crm_worker_' });

/** Kubernetes probes and our Prometheus metrics for the worker (the SDK's own metrics are served
 *  by the Temporal runtime on TEMPORAL_METRICS_HOST:TEMPORAL_METRICS_PORT, a port of their own).
 *  `/health/ready` is 200 only while every worker runs, the database answers and (where this
 *  worker serves the outbox queue) the outbox processor runs without failing for long;
 *  `/health/live` while the process is not failed. The processor's state is readiness only: a
 *  restarted pod would not bring the database back. */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHealthServer.name);
  private server?: Server;

  constructor(
    @Inject(workerConfig.KEY) private readonly config: WorkerConfig,
    private readonly host: TemporalWorkerHost,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.config.healthPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req.url ?? '/').then(({ status, body, type }) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.config.healthPort, resolve));
    this.logger.log(`worker health and metrics on :${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(url: string): Promise<{ status: number; body: string; type: string }> {
    const json = (status: number, body: object) => ({ status, body: JSON.stringify(body), type: 'application/json' });
    switch (url.split('?')[0]) {
      case '/health/live':
        return json(this.host.state === 'failed' ? 503 : 200, {
          status: this.host.state === 'failed' ? 'error' : 'ok',
          workers: this.host.state,
        });
      case '/health/ready': {
        const database = await this.dataSource.query('SELECT 1').then(
          () => 'up',
          () => 'down',
        );
        const outbox = this.host.outboxProcessor?.readiness();
        const ok = this.host.state === 'running' && database === 'up' && (outbox?.ready ?? true);
        const reasons = [
          ...(this.host.state === 'running' ? [] : [`workers ${this.host.state}`]),
          ...(database === 'up' ? [] : ['database down']),
          ...(outbox?.reason ? [outbox.reason] : []),
        ];
        return json(ok ? 200 : 503, {
          status: ok ? 'ok' : 'error',
          workers: this.host.state,
          database,
          ...(outbox ? { outboxProcessor: { ready: outbox.ready, ...outbox.state } } : {}),
          ...(reasons.length > 0 ? { reasons } : {}),
        });
      }
      case '/metrics':
        return { status: 200, body: await register.metrics(), type: register.contentType };
      default:
        return json(404, { message: 'not found' });
    }
  }
}
