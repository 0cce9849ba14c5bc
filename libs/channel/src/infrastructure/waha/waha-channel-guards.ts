import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  type IHalfOpenAfterBackoffContext,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import { RateLimiterMemory, RateLimiterQueue, RateLimiterQueueError } from 'rate-limiter-flexible';
import { type WahaFailureCode, WahaTransientError } from '../../application/waha/waha-client.errors';
import { type WahaConnection } from '../../application/waha/waha-client.port';
import { type WahaCircuitState, WahaCircuitStateStore } from '../../application/waha/waha-circuit-state.port';
import { type WahaChannelGuardSettings } from '../../channel.config';
import { WahaMetrics } from './waha.metrics';

/** Failures that say the channel's WAHA is down or unusable: they count toward opening its breaker.
 *  Not counted: 4xx answers (the request or the channel's settings are wrong, WAHA itself works),
 *  429 (WAHA works and said when to come back; the retry honours it), and what this process held
 *  back itself (open circuit, full rate-limit queue). */
const BREAKER_FAILURES: ReadonlySet<WahaFailureCode> = new Set<WahaFailureCode>([
  'WAHA.SERVER_ERROR',
  'WAHA.TIMEOUT',
  'WAHA.UNREACHABLE',
  'WAHA.SESSION_NOT_READY',
]);

/** How much of a failure message the circuit row keeps. */
const FAILURE_TEXT_LENGTH = 1_000;

/** Longest a shutdown waits for the last transitions to be recorded. */
const FLUSH_TIMEOUT_MS = 2_000;

function countsTowardBreaker(error: unknown): boolean {
  return error instanceof WahaTransientError && BREAKER_FAILURES.has(error.code);
}

const STATE_NAMES: Record<CircuitState, WahaCircuitState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  // Never used here (nothing isolates a breaker); it blocks calls like an open one.
  [CircuitState.Isolated]: 'open',
};

/**
 * One circuit breaker and one rate-limit queue per channel (per base URL and session for a
 * connection without a channel id), in this process. The breaker (cockatiel, consecutive failures)
 * opens after WAHA_BREAKER_THRESHOLD failed requests in a row (each retry of a read is one), fails
 * calls fast with WAHA.CIRCUIT_OPEN for WAHA_BREAKER_HALF_OPEN_AFTER_MS, then lets one test call
 * through: its success closes the breaker, its failure opens it again for twice as long (up to
 * WAHA_BREAKER_HALF_OPEN_MAX_MS). Every transition is counted in metrics and recorded,
 * best-effort, through the WahaCircuitStateStore, so the api can show it. Inside the breaker, each
 * request waits its turn in the channel's rate limiter (WAHA_RATE_LIMIT_PER_SECOND).
 *
 * A guard is kept for every channel this process called (a few hundred bytes each).
 */
export class WahaChannelGuards {
  private readonly logger = new Logger('WahaChannelGuards');
  private readonly guards = new Map<string, ChannelGuard>();
  private readonly limiter: RateLimiterQueue;

  constructor(
    private readonly settings: WahaChannelGuardSettings,
    private readonly store: WahaCircuitStateStore,
  ) {
    const points = settings.rateLimitPerSecond;
    // The queue holds at most WAHA_RATE_LIMIT_MAX_WAIT_MS worth of requests, so none waits longer.
    const maxQueueSize = Math.floor((points * settings.rateLimitMaxWaitMs) / 1000);
    this.limiter = new RateLimiterQueue(new RateLimiterMemory({ points, duration: 1 }), { maxQueueSize });
  }

  /** Runs one request to the connection's WAHA through its breaker and rate limiter. */
  run<T>(connection: WahaConnection, request: () => Promise<T>): Promise<T> {
    return this.guardOf(connection).run(request);
  }

  /** Waits (briefly) until every transition noted so far has been recorded or given up. */
  async flush(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_TIMEOUT_MS)));
    await Promise.race([Promise.all([...this.guards.values()].map((guard) => guard.recorded())), timeout]);
    clearTimeout(timer);
  }

  private guardOf(connection: WahaConnection): ChannelGuard {
    const baseUrl = connection.baseUrl.replace(/\/+$/, '');
    const key = connection.channelId ?? `${baseUrl}|${connection.session}`;
    let guard = this.guards.get(key);
    if (!guard) {
      const name = connection.channelId
        ? `channel ${connection.channelId}`
        : `WAHA session '${connection.session}' at ${baseUrl}`;
      guard = new ChannelGuard(
        key,
        name,
        connection.channelId ?? null,
        this.settings,
        this.limiter,
        this.store,
        this.logger,
      );
      this.guards.set(key, guard);
    }
    return guard;
  }
}

class ChannelGuard {
  private readonly breaker: CircuitBreakerPolicy;
  private state: WahaCircuitState = 'closed';
  private openedAt = 0;
  /** The cool-down of the current opening (it grows while test calls fail). */
  private coolDownMs: number;
  /** Whether this process has told the store about this breaker yet (see `run`). */
  private reported = false;
  private recording: Promise<void> = Promise.resolve();

  constructor(
    private readonly key: string,
    /** How messages name it: `channel <id>`. */
    private readonly name: string,
    private readonly channelId: string | null,
    private readonly settings: WahaChannelGuardSettings,
    private readonly limiter: RateLimiterQueue,
    private readonly store: WahaCircuitStateStore,
    private readonly logger: Logger,
  ) {
    this.coolDownMs = settings.breakerHalfOpenAfterMs;
    this.breaker = circuitBreaker(handleWhen(countsTowardBreaker), {
      // attempt: 1 when it opens from closed, +1 each time a half-open test call failed.
      halfOpenAfter: new DelegateBackoff<IHalfOpenAfterBackoffContext>(({ attempt }) => {
        const { breakerHalfOpenAfterMs: first, breakerHalfOpenMaxMs: longest } = settings;
        this.coolDownMs = Math.max(first, Math.min(longest, first * 2 ** (attempt - 1)));
        return this.coolDownMs;
      }),
      breaker: new ConsecutiveBreaker(settings.breakerThreshold),
    });
    this.breaker.onStateChange((next) => this.changed(STATE_NAMES[next]));
  }

  async run<T>(request: () => Promise<T>): Promise<T> {
    let answer: T;
    try {
      answer = await this.breaker.execute(async () => {
        await this.takeTurn();
        return request();
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.circuitOpen();
      throw error;
    }
    // A process starts with every breaker closed, but an earlier one may have left the channel's
    // row open (it stopped before WAHA came back): the first success corrects it.
    if (!this.reported && this.state === 'closed' && this.channelId) {
      this.reported = true;
      const channelId = this.channelId;
      this.record(() => this.store.recordClosedIfNot(channelId, new Date()));
    }
    return answer;
  }

  /** Resolves once the transitions noted so far are recorded (or failed to be). */
  recorded(): Promise<void> {
    return this.recording;
  }

  private async takeTurn(): Promise<void> {
    try {
      await this.limiter.removeTokens(1, this.key);
    } catch (error) {
      if (!(error instanceof RateLimiterQueueError)) throw error;
      const { rateLimitPerSecond, rateLimitMaxWaitMs } = this.settings;
      throw new WahaTransientError(
        `WAHA call of ${this.name} not made: its rate limiter (${rateLimitPerSecond}/s, WAHA_RATE_LIMIT_PER_SECOND) already holds ${rateLimitMaxWaitMs} ms of waiting calls (WAHA_RATE_LIMIT_MAX_WAIT_MS)`,
        { code: 'WAHA.QUEUE_FULL', operation: 'rate limiter', status: null, retryAfterMs: 1_000, cause: error },
      );
    }
  }

  private circuitOpen(): WahaTransientError {
    const retryAt = this.openedAt + this.coolDownMs;
    const last = this.lastFailure();
    return new WahaTransientError(
      `WAHA call of ${this.name} not made: its circuit breaker is open since ${new Date(this.openedAt).toISOString()} after ${this.settings.breakerThreshold} consecutive failed requests` +
        `${last ? ` (last: ${last})` : ''}; WAHA is tried again from ${new Date(retryAt).toISOString()}`,
      {
        code: 'WAHA.CIRCUIT_OPEN',
        operation: 'circuit breaker',
        status: null,
        retryAfterMs: Math.max(0, retryAt - Date.now()),
      },
    );
  }

  private changed(next: WahaCircuitState): void {
    const previous = this.state;
    if (next === previous) return;
    this.state = next;
    const now = new Date();
    if (next === 'open') this.openedAt = now.getTime();
    WahaMetrics.circuitChanged(previous, next);
    const lastFailure = next === 'open' ? this.lastFailure() : null;
    const level = next === 'half_open' ? 'log' : 'warn';
    this.logger[level](
      { channelId: this.channelId, from: previous, to: next, lastFailure },
      `WAHA circuit breaker of ${this.name} is ${next.replace('_', '-')}`,
    );
    if (!this.channelId) return;
    this.reported = true;
    const transition = { channelId: this.channelId, state: next, changedAt: now, lastFailure };
    this.record(() => this.store.record(transition));
  }

  /** Writes one after the other (a later transition never lands before an earlier one), and a
   *  failed write is logged, never thrown: the WAHA call it came from goes on. */
  private record(write: () => Promise<void>): void {
    this.recording = this.recording.then(write).catch((error: unknown) => {
      this.logger.warn(
        { channelId: this.channelId, err: error },
        `could not record the WAHA circuit breaker state of ${this.name}`,
      );
    });
  }

  private lastFailure(): string | null {
    const failure = this.breaker.lastFailure;
    if (!failure || !('error' in failure)) return null;
    const error: unknown = failure.error;
    const text = error instanceof Error ? error.message : String(error);
    return text.slice(0, FAILURE_TEXT_LENGTH);
  }
}
