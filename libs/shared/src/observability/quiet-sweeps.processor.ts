import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The background sweeps (outbox processor, held-webhook release, session cleanup) run every second
 *  or so whether or not anything happens; traced, they would be most of the spans of an idle system. */
const SWEEP_SPAN = new RegExp(
  '^(RunWorkflow|StartActivity|RunActivity):(' +
    [
      'OutboxProcessorWorkflow',
      'WebhookHeldReleaseWorkflow',
      'SessionCleanupWorkflow',
      'processPendingEvents',
      'processFailedEvents',
      'cleanupOldEvents',
      'getOutboxMetrics',
      'releaseHeldWebhookDeliveries',
      'cleanupExpiredSessions',
    ].join('|') +
    ')$',
);

export function isSweepSpan(name: string): boolean {
  return SWEEP_SPAN.test(name);
}

/**
 * Drops the sweeps' spans and their descendants (their pg queries) before export. What a sweep
 * publishes still appears: an outbox publish span's parent is the trace context stored with its
 * event, not the sweep. Filtering here rather than in a sampler keeps OTEL_TRACES_SAMPLER in force.
 */
export class QuietSweepsProcessor implements SpanProcessor {
  private readonly dropped = new Set<string>();

  constructor(private readonly inner: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    if (isSweepSpan(span.name) || (span.parentSpanId !== undefined && this.dropped.has(span.parentSpanId))) {
      this.dropped.add(span.spanContext().spanId);
      return;
    }
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // Workflow spans come from the sandbox through the sink: they are only ever ended here.
    if (this.dropped.delete(span.spanContext().spanId) || isSweepSpan(span.name)) return;
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
