import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { QuietSweepsProcessor } from './quiet-sweeps.processor';

describe('QuietSweepsProcessor', () => {
  it("drops the sweeps' spans and what runs under them, and keeps work parented to a stored trace context", () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      spanProcessors: [new QuietSweepsProcessor(new SimpleSpanProcessor(exporter))],
    });
    provider.register();
    const tracer = provider.getTracer('spec');
    try {
      const raised = tracer.startSpan('RunActivity:createMessage');
      const stored: Record<string, string> = {};
      new W3CTraceContextPropagator().inject(trace.setSpan(ROOT_CONTEXT, raised), stored, {
        set: (c, k, v) => (c[k] = v),
      });
      raised.end();

      tracer.startActiveSpan('RunActivity:processPendingEvents', (sweep) => {
        tracer.startActiveSpan('pg.query:UPDATE crm', (query) => query.end());
        const parent = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, stored, {
          get: (c, k) => c[k],
          keys: (c) => Object.keys(c),
        });
        tracer.startActiveSpan('outbox publish message.created', {}, parent, (publish) => {
          tracer.startActiveSpan('POST', (post) => post.end());
          publish.end();
        });
        sweep.end();
      });
      // A workflow span from the sandbox arrives already ended (through the sink): dropped by name.
      const workflowSide = tracer.startSpan('StartActivity:processFailedEvents');
      workflowSide.end();

      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([
        'RunActivity:createMessage',
        'POST',
        'outbox publish message.created',
      ]);
      const [created, post, publish] = exporter.getFinishedSpans();
      expect(publish!.parentSpanId).toBe(created!.spanContext().spanId);
      expect(post!.parentSpanId).toBe(publish!.spanContext().spanId);
    } finally {
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });
});
