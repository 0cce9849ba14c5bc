import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { waitAtMost } from '@app/shared';
import { TransactionContext } from './transaction-context';

/** A snapshot is reused this long, so concurrent or frequent scrapes cost one round of queries. */
export const SYSTEM_GAUGES_CACHE_MS = 5_000;
/** Each round of queries gives up after this long (a slow database must not hang /metrics). */
export const SYSTEM_GAUGES_STATEMENT_TIMEOUT_MS = 2_000;
/** An active session counts as overdue once its idle deadline passed this long ago: the lifecycle
 *  workflow ends it at the deadline, so a session still open a minute later was missed. */
export const SESSION_OVERDUE_GRACE_SECONDS = 60;

interface Snapshot {
  outboxPending: number;
  outboxFailed: number;
  outboxDead: number;
  outboxOldestPendingAgeSeconds: number;
  sessionsActive: number;
  sessionsOverdue: number;
  webhookHeld: number;
  webhookDisabled: number;
  webhookFailing: number;
  importsRunning: number;
  wahaCircuitsOpen: number;
  wahaCircuitsHalfOpen: number;
}

/**
 * Every cross-tenant count /metrics serves, computed at scrape time: ONE statement of cheap
 * aggregates (each on a partial or status index), bounded by a statement timeout and cached for
 * SYSTEM_GAUGES_CACHE_MS. It reads every tenant's rows: a system read, not a tenant's. Registered
 * once per process (the api's and the worker's); the gauges live in the default registry and ask
 * the collector the process created. While the database does not answer, the gauges keep their
 * last values and `crm_system_gauges_up` is 0 (the scrape itself still succeeds).
 */
@Injectable()
export class SystemGaugesCollector implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SystemGaugesCollector.name);
  /** The collector of this process (the last one initialised), which the gauges ask. */
  static active: SystemGaugesCollector | null = null;
  private cached: { at: number; snapshot: Promise<Snapshot | null> } | null = null;

  constructor(private readonly tx: TransactionContext) {}

  onModuleInit(): void {
    SystemGaugesCollector.active = this;
  }

  onModuleDestroy(): void {
    if (SystemGaugesCollector.active === this) SystemGaugesCollector.active = null;
  }

  /** The current counts, from the cache when it is fresh; null when the database did not answer. */
  snapshot(now = Date.now()): Promise<Snapshot | null> {
    if (!this.cached || now - this.cached.at >= SYSTEM_GAUGES_CACHE_MS) {
      this.cached = { at: now, snapshot: this.query() };
    }
    return this.cached.snapshot;
  }

  private async query(): Promise<Snapshot | null> {
    const waitMs = SYSTEM_GAUGES_STATEMENT_TIMEOUT_MS + 1_000;
    const counting = this.counts();
    try {
      // The statement timeout bounds the query; this bounds the wait for a pooled connection too.
      if (!(await waitAtMost(counting, waitMs))) throw new Error(`no answer within ${waitMs} ms`);
      const row = (await counting)[0]!;
      return Object.fromEntries(
        Object.entries(row).map(([key, value]) => [key, Number(value ?? 0)]),
      ) as unknown as Snapshot;
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message },
        'system gauges: counting failed; /metrics keeps the last values',
      );
      return null;
    }
  }

  private counts(): Promise<Record<keyof Snapshot, string | number | null>[]> {
    // The one system read of the metrics: every tenant's rows, through the row-level security bypass.
    return this.tx.asSystem(async (manager) => {
      await manager.query(`SET LOCAL statement_timeout = ${SYSTEM_GAUGES_STATEMENT_TIMEOUT_MS}`);
      return manager.query(
        `SELECT
           (SELECT count(*) FROM outbox_events WHERE status = 'pending') AS "outboxPending",
           (SELECT count(*) FROM outbox_events WHERE status = 'failed') AS "outboxFailed",
           (SELECT count(*) FROM outbox_events WHERE status = 'dead') AS "outboxDead",
           (SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)), 0) FROM outbox_events WHERE status = 'pending') AS "outboxOldestPendingAgeSeconds",
           (SELECT count(*) FROM sessions WHERE status = 'active') AS "sessionsActive",
           (SELECT count(*) FROM sessions WHERE status = 'active'
               AND last_activity_at + make_interval(secs => timeout_seconds + $1) < clock_timestamp()) AS "sessionsOverdue",
           (SELECT count(*) FROM webhook_deliveries WHERE status = 'held') AS "webhookHeld",
           (SELECT count(*) FROM webhook_subscriptions WHERE disabled_at IS NOT NULL AND deleted_at IS NULL) AS "webhookDisabled",
           (SELECT count(*) FROM webhook_subscriptions WHERE failing_since IS NOT NULL AND disabled_at IS NULL AND deleted_at IS NULL) AS "webhookFailing",
           (SELECT count(*) FROM history_imports WHERE status = 'running') AS "importsRunning",
           (SELECT count(*) FROM waha_circuit_states WHERE state = 'open') AS "wahaCircuitsOpen",
           (SELECT count(*) FROM waha_circuit_states WHERE state = 'half_open') AS "wahaCircuitsHalfOpen"`,
        [SESSION_OVERDUE_GRACE_SECONDS],
      );
    });
  }
}

new Gauge({
  name: 'crm_system_gauges_up',
  help: '1 when the last count of the database gauges succeeded, 0 when it failed (the gauges then keep their last values)',
  async collect() {
    const collector = SystemGaugesCollector.active;
    if (collector) this.set((await collector.snapshot()) ? 1 : 0);
  },
});

/** A gauge whose value is one field of the collector's snapshot. */
function snapshotGauge(name: string, help: string, field: keyof Snapshot): void {
  new Gauge({
    name,
    help,
    async collect() {
      const snapshot = await SystemGaugesCollector.active?.snapshot();
      if (snapshot) this.set(snapshot[field]);
    },
  });
}

snapshotGauge('crm_outbox_pending_events', 'Outbox events waiting to be published (status pending)', 'outboxPending');
snapshotGauge(
  'crm_outbox_failed_events',
  'Outbox events whose publish failed and waits for its retry (status failed)',
  'outboxFailed',
);
snapshotGauge(
  'crm_outbox_dead_events',
  'Outbox events dead-lettered after their last attempt (status dead; until retried or cleaned up)',
  'outboxDead',
);
snapshotGauge(
  'crm_outbox_oldest_pending_age_seconds',
  'Age of the oldest pending outbox event (0 when none is pending)',
  'outboxOldestPendingAgeSeconds',
);
snapshotGauge('crm_sessions_active', 'Sessions currently active', 'sessionsActive');
snapshotGauge(
  'crm_sessions_overdue',
  `Active sessions whose idle deadline (last activity + timeout) passed more than ${SESSION_OVERDUE_GRACE_SECONDS} s ago: nothing ended them`,
  'sessionsOverdue',
);
snapshotGauge(
  'crm_webhook_held_deliveries',
  'Webhook deliveries held because their endpoint is failing (released when it recovers)',
  'webhookHeld',
);
snapshotGauge(
  'crm_webhook_disabled_subscriptions',
  'Webhook subscriptions disabled automatically (410 Gone or too many failed deliveries)',
  'webhookDisabled',
);
snapshotGauge(
  'crm_webhook_failing_subscriptions',
  'Webhook subscriptions whose endpoint is marked failing (new deliveries are held)',
  'webhookFailing',
);
snapshotGauge('crm_history_imports_running', 'History imports running', 'importsRunning');
snapshotGauge(
  'crm_waha_circuits_open',
  'Channels whose WAHA circuit breaker is open, as last recorded by any worker',
  'wahaCircuitsOpen',
);
snapshotGauge(
  'crm_waha_circuits_half_open',
  'Channels whose WAHA circuit breaker is half-open, as last recorded by any worker',
  'wahaCircuitsHalfOpen',
);
