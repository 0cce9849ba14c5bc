import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  currentTraceContext,
  inStoredTraceContext,
  shutdownTracing,
  startTracing,
  tracingEnabledByEnv,
  tracingRuntime,
} from './tracing';

describe('tracing', () => {
  afterEach(() => shutdownTracing());

  it('is off unless OTEL_TRACING_ENABLED=true, and then writes no trace context', async () => {
    expect(startTracing({ serviceName: 'spec', env: {} })).toBeUndefined();
    expect(startTracing({ serviceName: 'spec', env: { OTEL_TRACING_ENABLED: 'false' } })).toBeUndefined();
    expect(tracingRuntime()).toBeUndefined();
    expect(currentTraceContext()).toBeNull();
    await expect(inStoredTraceContext('outbox publish x', null, {}, async () => 'ran')).resolves.toBe('ran');
    expect(tracingEnabledByEnv({ OTEL_TRACING_ENABLED: 'TRUE' })).toBe(true);
    expect(() => tracingEnabledByEnv({ OTEL_TRACING_ENABLED: 'yes' })).toThrow(
      'OTEL_TRACING_ENABLED must be true or false, got "yes"',
    );
  });

  it('stores the active span as W3C context, and work run in it later continues that trace', async () => {
    const exporter = new InMemorySpanExporter();
    startTracing({ serviceName: 'spec', spanProcessor: new SimpleSpanProcessor(exporter) });
    expect(currentTraceContext()).toBeNull(); // nothing active: nothing to store
    const { stored, raised } = trace.getTracer('spec').startActiveSpan('RunActivity:createMessage', (span) => {
      span.end();
      return { stored: currentTraceContext(), raised: span.spanContext() };
    });
    expect(stored).toEqual({ traceparent: `00-${raised.traceId}-${raised.spanId}-01` });

    await inStoredTraceContext(
      'outbox publish message.created',
      stored,
      { 'outbox.event_id': 'e1' },
      async () => undefined,
    );
    const publish = exporter.getFinishedSpans().find((s) => s.name === 'outbox publish message.created')!;
    expect(publish.spanContext().traceId).toBe(raised.traceId);
    expect(publish.parentSpanId).toBe(raised.spanId);
    expect(publish.attributes['outbox.event_id']).toBe('e1');
  });
});
