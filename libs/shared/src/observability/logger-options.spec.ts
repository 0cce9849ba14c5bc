import { Writable } from 'node:stream';
import pino, { type LoggerOptions } from 'pino';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { trace } from '@opentelemetry/api';
import { logFormat, loggerOptions } from './logger-options';
import { shutdownTracing, startTracing } from './tracing';

/** The pino options (minus the HTTP-only ones) writing JSON lines into an array. */
function capture(env: NodeJS.ProcessEnv): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const { pinoHttp } = loggerOptions({}, env) as { pinoHttp: LoggerOptions & Record<string, unknown> };
  const { mixin, hooks, level } = pinoHttp;
  const chunks: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (chunks.push(chunk.toString()), done()) });
  const logger = pino({ mixin, hooks, level }, sink);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('loggerOptions', () => {
  it('is pretty (pino-pretty, one line per request) in development and JSON in production', () => {
    const dev = loggerOptions({}, { NODE_ENV: 'development' }).pinoHttp as Record<string, any>;
    expect(dev.transport.target).toBe('pino-pretty');
    expect(dev.transport.options.singleLine).toBe(true);
    expect(dev.customSuccessMessage({ method: 'GET', url: '/v1/contacts' }, { statusCode: 200 }, 12.4)).toBe(
      'GET /v1/contacts 200 12ms',
    );
    expect(dev.serializers.req({ method: 'GET' })).toBeUndefined();

    const prod = loggerOptions({}, { NODE_ENV: 'production' }).pinoHttp as Record<string, unknown>;
    expect(prod.transport).toBeUndefined();
    expect(prod.customSuccessMessage).toBeUndefined();
    expect(logFormat({ NODE_ENV: 'development', LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormat({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(logFormat({})).toBe('json');
    expect(() => logFormat({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT must be json or pretty, got "yaml"/);
  });

  it('logs requests by status: 5xx as error, 4xx as warn, the rest as info', () => {
    const { customLogLevel } = loggerOptions({}, {}).pinoHttp as Record<string, any>;
    expect(customLogLevel({}, { statusCode: 503 })).toBe('error');
    expect(customLogLevel({}, { statusCode: 404 })).toBe('warn');
    expect(customLogLevel({}, { statusCode: 201 })).toBe('info');
    expect(customLogLevel({}, { statusCode: 200 }, new Error('boom'))).toBe('error');
  });

  it("drops Nest's start-up wiring lines at info and keeps them at debug", () => {
    const info = capture({ LOG_LEVEL: 'info' });
    info.logger.info({ context: 'InstanceLoader' }, 'AppModule dependencies initialized');
    info.logger.info({ context: 'RouterExplorer' }, 'Mapped {/v1/contacts, GET} route');
    info.logger.info({ context: 'NestApplication' }, 'Nest application successfully started');
    expect(info.lines().map((l) => l.msg)).toEqual(['Nest application successfully started']);

    const debug = capture({ LOG_LEVEL: 'debug' });
    debug.logger.info({ context: 'RoutesResolver' }, 'ContactsController {/v1/contacts}');
    expect(debug.lines()).toEqual([
      expect.objectContaining({ level: 20, context: 'RoutesResolver', msg: 'ContactsController {/v1/contacts}' }),
    ]);
  });

  it('mixes the active trace and span ids into every line, and nothing when no span is active', async () => {
    startTracing({ serviceName: 'logger-spec', spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()) });
    try {
      const { logger, lines } = capture({});
      logger.info('outside');
      const ids = trace.getTracer('spec').startActiveSpan('work', (span) => {
        logger.info('inside');
        span.end();
        return span.spanContext();
      });
      const [outside, inside] = lines();
      expect(outside).not.toHaveProperty('trace_id');
      expect(inside).toEqual(expect.objectContaining({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId }));
      expect(inside!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await shutdownTracing();
    }
  });
});
