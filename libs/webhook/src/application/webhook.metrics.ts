import { Counter, Histogram } from 'prom-client';
import { type WebhookAttemptOutcome } from '../domain/webhook-delivery';

// Default registry, module scope (one registration per process); labels are fixed sets.
const attempts = new Counter({
  name: 'crm_webhook_attempts_total',
  help: 'Webhook delivery attempts (HTTP POSTs, inline or by the delivery workflow), by outcome (delivered, retryable, permanent, gone)',
  labelNames: ['outcome'] as const,
});
const attemptDuration = new Histogram({
  name: 'crm_webhook_attempt_duration_seconds',
  help: 'Duration of webhook delivery attempts (request until answer, timeout or connection failure), by outcome',
  labelNames: ['outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});
const deliveries = new Counter({
  name: 'crm_webhook_deliveries_total',
  help: 'Webhook deliveries that finished, by outcome (delivered; dead: dead-lettered after the last attempt)',
  labelNames: ['outcome'] as const,
});

/** The webhook deliveries' Prometheus metrics (one set per process). Counted after the commit. */
export const WebhookMetrics = {
  attempted(outcome: WebhookAttemptOutcome, durationMs: number): void {
    attempts.inc({ outcome });
    attemptDuration.observe({ outcome }, Math.max(0, durationMs) / 1000);
    if (outcome === 'delivered') deliveries.inc({ outcome: 'delivered' });
  },
  deadLettered(): void {
    deliveries.inc({ outcome: 'dead' });
  },
};
