import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { QuietSweepsProcessor } from './quiet-sweeps.processor';

/** What a process traced with: the Temporal worker hands the same processor and resource to the
 *  workflow span sink, so workflow spans leave through the same exporter. */
export interface TracingRuntime {
  readonly provider: NodeTracerProvider;
  readonly spanProcessor: SpanProcessor;
  readonly resource: Resource;
  readonly instrumentations: Instrumentation[];
}

export interface StartTracingOptions {
  serviceName: string;
  /** Tests pass a processor over an in-memory exporter; by default spans go to OTLP/HTTP. */
  spanProcessor?: SpanProcessor;
  env?: NodeJS.ProcessEnv;
}

const TRACER_NAME = 'crm-messaging-backend';
let runtime: TracingRuntime | undefined;

export function tracingEnabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.OTEL_TRACING_ENABLED?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new Error(`OTEL_TRACING_ENABLED must be true or false, got "${env.OTEL_TRACING_ENABLED}"`);
}

/**
 * Starts the OpenTelemetry SDK when OTEL_TRACING_ENABLED=true (or when a test passes a processor):
 * W3C trace context, OTLP/HTTP export (OTEL_EXPORTER_OTLP_ENDPOINT and the other standard OTEL_*
 * variables), HTTP and pg instrumentation. Instrumentation patches modules as they are required,
 * so this must run before anything loads `pg` or the HTTP server: first thing in main.
 */
export function startTracing(options: StartTracingOptions): TracingRuntime | undefined {
  const env = options.env ?? process.env;
  if (runtime) return runtime;
  if (!options.spanProcessor && !tracingEnabledByEnv(env)) return undefined;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || options.serviceName });
  const spanProcessor = new QuietSweepsProcessor(
    options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter()),
  );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const instrumentations = [
    new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(health|metrics)(\/|\?|$)/.test(req.url ?? '') }),
    // Only queries inside a traced operation: the relay's polling and LISTEN would be noise.
    new PgInstrumentation({ requireParentSpan: true }),
  ];
  registerInstrumentations({ tracerProvider: provider, instrumentations });
  runtime = { provider, spanProcessor, resource, instrumentations };
  return runtime;
}

export function tracingRuntime(): TracingRuntime | undefined {
  return runtime;
}

/** Flushes what is still buffered and stops the SDK (on process shutdown). */
export async function shutdownTracing(): Promise<void> {
  const current = runtime;
  if (!current) return;
  runtime = undefined;
  for (const instrumentation of current.instrumentations) instrumentation.disable();
  await current.provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
}

/** The active span's W3C context (traceparent, tracestate) to store beside an outbox event, or null
 *  when tracing is off or nothing is being traced (the column then stays null). */
export function currentTraceContext(): Record<string, string> | null {
  if (!runtime || !trace.getSpan(context.active())) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : null;
}

/** Runs `work` in a span whose parent is the stored trace context (when there is one), so work that
 *  happens later in another process (an outbox event published, a webhook delivered) continues the
 *  trace that raised it. Without tracing it just runs `work`. */
export async function inStoredTraceContext<T>(
  name: string,
  stored: Record<string, string> | null,
  attributes: Record<string, string>,
  work: () => Promise<T>,
): Promise<T> {
  if (!runtime) return work();
  const parent: Context = stored ? propagation.extract(ROOT_CONTEXT, stored) : context.active();
  return trace
    .getTracer(TRACER_NAME)
    .startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent, async (span) => {
      try {
        return await work();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        span.end();
      }
    });
}

/** trace_id and span_id of the active span, for log lines; empty when nothing is traced. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
