import { Counter, Histogram } from 'prom-client';

// Default registry, module scope (one registration per process); no labels.
const published = new Counter({
  name: 'crm_outbox_published_total',
  help: 'Outbox events published (fanned out to the matching webhook subscriptions)',
});
const publishLatency = new Histogram({
  name: 'crm_outbox_publish_latency_seconds',
  help: 'From the commit that wrote an outbox event (its created_at) to its publish being recorded',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});
const failures = new Counter({
  name: 'crm_outbox_publish_failures_total',
  help: 'Failed publish attempts of outbox events, by what the event became (failed: retried later; dead: dead-lettered)',
  labelNames: ['status'] as const,
});

/** The outbox relay's Prometheus metrics (one set per process). */
export const OutboxMetrics = {
  published(createdAt: Date, now: Date): void {
    published.inc();
    publishLatency.observe(Math.max(0, now.getTime() - createdAt.getTime()) / 1000);
  },
  publishFailed(status: 'failed' | 'dead'): void {
    failures.inc({ status });
  },
};
