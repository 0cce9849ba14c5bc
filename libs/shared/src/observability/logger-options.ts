import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';
import { activeTraceIds } from './tracing';

export type LogFormat = 'json' | 'pretty';

export interface AppLoggingOptions {
  /** Defaults to LOG_LEVEL, then info. */
  level?: string;
  /** Paths (prefixes) whose requests are not logged: health probes, the simulator's ping. */
  ignorePathPrefixes?: string[];
  redact?: string[];
  genReqId?: (req: IncomingMessage, res: ServerResponse) => string;
}

/** Nest logs one line per module and per route at start; useful only when debugging the wiring. */
const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

const INFO = 30;

/** LOG_FORMAT wins; otherwise pretty only in development (`npm run dev` sets NODE_ENV=development),
 *  JSON everywhere else (production, tests, benches). */
export function logFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const explicit = env.LOG_FORMAT?.trim();
  if (explicit === 'json' || explicit === 'pretty') return explicit;
  if (explicit) throw new Error(`LOG_FORMAT must be json or pretty, got "${explicit}"`);
  return env.NODE_ENV === 'development' ? 'pretty' : 'json';
}

/** The nestjs-pino options every app uses: level from LOG_LEVEL, the active trace and span ids on
 *  every line, Nest's start-up wiring lines only at debug, and in pretty mode one line per request
 *  (`GET /v1/contacts 200 12ms`). */
export function loggerOptions(app: AppLoggingOptions = {}, env: NodeJS.ProcessEnv = process.env): Params {
  const format = logFormat(env);
  const ignored = app.ignorePathPrefixes ?? [];
  const pino: LoggerOptions = {
    level: app.level ?? env.LOG_LEVEL ?? 'info',
    mixin: () => activeTraceIds(),
    hooks: {
      logMethod(args, method, level) {
        const first: unknown = args[0];
        const context =
          typeof first === 'object' && first !== null ? (first as { context?: unknown }).context : undefined;
        if (level === INFO && typeof context === 'string' && STARTUP_CONTEXTS.has(context)) {
          // Demoted, not dropped: LOG_LEVEL=debug still shows the wiring.
          if (this.isLevelEnabled('debug')) (this.debug as (...a: unknown[]) => void)(...args);
          return;
        }
        method.apply(this, args);
      },
    },
    ...(app.redact ? { redact: app.redact } : {}),
  };
  return {
    pinoHttp: {
      ...pino,
      ...(app.genReqId ? { genReqId: app.genReqId } : {}),
      autoLogging: { ignore: (req: IncomingMessage) => ignored.some((prefix) => req.url?.startsWith(prefix) ?? false) },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      ...(format === 'pretty' ? prettyHttp() : {}),
    },
  };
}

/** One line per request: the request and response objects stay out, the message says it all. */
function prettyHttp(): Params['pinoHttp'] {
  return {
    quietReqLogger: true,
    customSuccessMessage: (req, res, ms) => `${req.method} ${req.url} ${res.statusCode} ${Math.round(ms)}ms`,
    customErrorMessage: (req, res, err) => `${req.method} ${req.url} ${res.statusCode} ${err.message}`,
    serializers: { req: () => undefined, res: () => undefined },
    transport: {
      target: 'pino-pretty',
      options: {
        colorize: true,
        singleLine: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,context,req,res,responseTime,reqId',
        messageFormat: '{if context}[{context}] {end}{msg}',
      },
    },
  };
}
