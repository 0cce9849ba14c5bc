import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import type { Instrumentation, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { shutdownTracing, startTracing } from '@app/shared';
import { startTestWebhookReceiver, type TestWebhookReceiver } from '@app/webhook/testing';
import { freshWahaFixture } from '../fixtures/waha';
import { ConversationHarness } from '../support/conversation-harness';
import { eventually } from '../support/nest';

/**
 * One trace from the WAHA POST to the webhook delivery, with the whole system in process (API and
 * worker on every queue, real Postgres, real Temporal dev server, a real receiver on 127.0.0.1) and
 * the production tracing setup (startTracing) writing into an in-memory exporter.
 *
 * Jest loads modules through its own registry, which the instrumentations' require hooks never see
 * (they hook Node's Module.prototype.require). In production main.ts starts tracing before anything
 * loads http or pg and the hooks patch them; here the same patches are applied by hand to the module
 * instances jest hands the app (`pg` from jest's registry, the shared `http`/`https` core modules).
 */
describe('tracing (e2e)', () => {
  const exporter = new InMemorySpanExporter();
  const unpatches: (() => void)[] = [];
  let h: ConversationHarness;
  let receiver: TestWebhookReceiver;

  beforeAll(async () => {
    const runtime = startTracing({ serviceName: 'crm-tracing-e2e', spanProcessor: new SimpleSpanProcessor(exporter) })!;
    for (const instrumentation of runtime.instrumentations) unpatches.push(...patchJestLoaded(instrumentation));
    h = await ConversationHarness.start('crm-tracing', {
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    });
    receiver = await startTestWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await h?.close();
    for (const unpatch of unpatches) unpatch();
    await shutdownTracing();
  });

  it('links the WAHA POST, the saga workflow and activities, pg queries and the webhook delivery in one trace', async () => {
    const tenant = await h.createTenant('Traced');
    const channel = await h.createChannel(tenant.apiKey);
    const sub = await h.call('POST', '/v1/webhook-subscriptions', {
      apiKey: tenant.apiKey,
      body: { url: receiver.url('/traced'), eventTypes: ['message.created'] },
    });
    expect(sub.status).toBe(201);
    exporter.reset();

    const posted = await h.postWebhook(
      channel,
      freshWahaFixture('webhook-message-text', {
        rawId: `TR${randomUUID().replace(/-/g, '').slice(0, 30).toUpperCase()}`,
      }),
    );
    expect(posted.status).toBe(202);
    const receipt = await eventually(
      async () => receiver.received.find((r) => JSON.parse(r.body).type === 'message.created'),
      60_000,
      'the message.created webhook',
    );

    const spans = () => exporter.getFinishedSpans();
    const isWahaPost = (s: ReadableSpan) =>
      s.kind === SpanKind.SERVER &&
      String(s.attributes['http.target'] ?? s.attributes['url.path'] ?? '').includes('/waha/events');
    const isDelivery = (s: ReadableSpan) =>
      s.kind === SpanKind.CLIENT &&
      String(s.attributes['http.url'] ?? s.attributes['url.full'] ?? '').startsWith(receiver.url('/traced'));
    // A span is exported when it ends: the delivery's client span and its ancestors (the publish, the
    // activity, the workflow run) end after the receiver answered. Wait until its ancestry is whole.
    const [post, delivery] = await eventually(
      async () => {
        const all = spans();
        const ids = new Set(all.map((s) => s.spanContext().spanId));
        const p = all.find(isWahaPost);
        const d = all.find((s) => isDelivery(s) && s.spanContext().traceId === p?.spanContext().traceId);
        for (let at = d; at; at = all.find((s) => s.spanContext().spanId === at!.parentSpanId)) {
          if (at.parentSpanId && !ids.has(at.parentSpanId)) return undefined;
        }
        return p && d ? ([p, d] as const) : undefined;
      },
      20_000,
      'the WAHA POST span and a delivery span whose ancestry is recorded',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${spanTree(spans())}`);
    });

    const traceId = post.spanContext().traceId;
    const inTrace = spans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const chain = (s: ReadableSpan): string[] => {
      const names: string[] = [];
      for (let at: ReadableSpan | undefined = s; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined)
        names.unshift(at.name);
      return names;
    };
    const explain = `\n${spanTree(inTrace)}`;

    // The delivery's ancestry climbs, without a gap, to the WAHA POST (the root of the trace).
    const deliveryChain = chain(delivery);
    expect({ root: deliveryChain[0], explain }).toEqual({ root: post.name, explain });
    expect(post.parentSpanId).toBeUndefined();
    expect({ deliveryChain, explain }).toEqual({
      deliveryChain: expect.arrayContaining([
        'StartWorkflow:ProcessInboundMessageSaga',
        'RunWorkflow:ProcessInboundMessageSaga',
        expect.stringMatching(/^StartActivity:/),
        expect.stringMatching(/^RunActivity:/),
        'outbox publish message.created',
      ]),
      explain,
    });
    // Every saga activity ran in the trace, and its database work is traced under it.
    const activities = inTrace.filter((s) => s.name.startsWith('RunActivity:'));
    expect(activities.length).toBeGreaterThanOrEqual(3);
    const pgUnderActivity = inTrace.filter(
      (s) => s.attributes['db.system'] === 'postgresql' && chain(s).some((n) => n.startsWith('RunActivity:')),
    );
    expect({ pgSpans: pgUnderActivity.length > 0, explain }).toEqual({ pgSpans: true, explain });
    // The event carried the trace through the outbox: its row holds the context it was raised in.
    const [row] = await h.query<{ trace_context: Record<string, string> | null }>(
      `SELECT trace_context FROM outbox_events WHERE id = $1`,
      [receipt.headers['webhook-id']],
    );
    expect(row?.trace_context?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    // The receiver got the trace context of the delivery attempt (W3C traceparent).
    expect(receipt.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-${delivery.spanContext().spanId}-0[01]$`));
  });
});

/** Applies an instrumentation's patches to the instances jest loaded; returns how to undo them. */
function patchJestLoaded(instrumentation: Instrumentation): (() => void)[] {
  const definitions = (
    instrumentation as unknown as { getModuleDefinitions(): InstrumentationModuleDefinition[] }
  ).getModuleDefinitions();
  const undo: (() => void)[] = [];
  for (const definition of definitions) {
    const exports = tryRequire(definition.name);
    if (exports === undefined) continue;
    const version =
      (tryRequire(`${definition.name}/package.json`) as { version?: string } | undefined)?.version ??
      process.versions.node;
    const patched = definition.patch ? definition.patch(exports, version) : exports;
    undo.push(() => definition.unpatch?.(patched, version));
    for (const file of definition.files) {
      const fileExports = tryRequire(file.name);
      if (fileExports === undefined) continue;
      file.patch(fileExports, version);
      undo.push(() => file.unpatch(fileExports, version));
    }
  }
  return undo;
}

function tryRequire(name: string): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name);
  } catch {
    return undefined;
  }
}

/** The spans as an indented tree (printed when the chain is broken). */
function spanTree(spans: ReadableSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort(
      (a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1],
    )) {
      const orphan = depth === 0 && s.parentSpanId ? ` (parent ${s.parentSpanId} not recorded)` : '';
      lines.push(
        `${'  '.repeat(depth)}${s.name} [${SpanKind[s.kind]}] trace ${s.spanContext().traceId.slice(0, 8)} span ${s.spanContext().spanId}${orphan}`,
      );
      walk(s.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
