import { performance } from 'node:perf_hooks';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { DelegateBackoff, handleWhen, retry } from 'cockatiel';
import { type WahaFailureCode, WahaError, WahaTransientError } from '../../application/waha/waha-client.errors';
import {
  type WahaChat,
  WahaClient,
  type WahaConnection,
  type WahaFindMessageRequest,
  type WahaListChatMessagesRequest,
  type WahaListChatsRequest,
  type WahaSendTextRequest,
  type WahaSentMessage,
  type WahaSessionInfo,
  type WahaStoredMessage,
} from '../../application/waha/waha-client.port';
import { WahaCircuitStateStore } from '../../application/waha/waha-circuit-state.port';
import { type ChannelConfig, channelConfig, type WahaReadRetrySettings } from '../../channel.config';
import { HttpWahaClient } from './http-waha.client';
import { WahaChannelGuards } from './waha-channel-guards';
import { type WahaCallOutcome, WahaMetrics, type WahaOperation } from './waha.metrics';

/** Read failures a retry can cure: WAHA failing (5xx), rate limiting (429), slow or unreachable.
 *  Not retried inside the call: 4xx (a fix is needed), 422 (a session that is not WORKING stays so
 *  for longer than a call should wait; the caller's own retry comes back later), and what this
 *  process held back itself (open circuit, full rate-limit queue). */
const RETRIED_READ_FAILURES: ReadonlySet<WahaFailureCode> = new Set<WahaFailureCode>([
  'WAHA.SERVER_ERROR',
  'WAHA.RATE_LIMITED',
  'WAHA.TIMEOUT',
  'WAHA.UNREACHABLE',
]);

/**
 * The WahaClient the application gets: the HTTP client behind one resilience layer. Every request
 * goes through its channel's circuit breaker and rate limiter (WahaChannelGuards); reads
 * (getSession, findMessage, listChats, listChatMessages) are retried with exponential backoff
 * (cockatiel) on transient failures, honouring `Retry-After`, within WAHA_READ_RETRY_ATTEMPTS and
 * WAHA_READ_RETRY_BUDGET_MS. sendText is never retried here: a send that failed without a clear
 * answer may have gone out, and only the caller can check (findMessage) before sending again.
 * Every call is counted and timed (crm_waha_calls_total, crm_waha_call_duration_seconds).
 */
@Injectable()
export class ResilientWahaClient extends WahaClient implements OnModuleDestroy {
  private readonly guards: WahaChannelGuards;
  private readonly retrySettings: WahaReadRetrySettings;

  constructor(
    @Inject(HttpWahaClient) private readonly http: WahaClient,
    @Inject(channelConfig.KEY) config: Pick<ChannelConfig, 'wahaReadRetry' | 'wahaChannelGuard'>,
    store: WahaCircuitStateStore,
  ) {
    super();
    this.retrySettings = config.wahaReadRetry;
    this.guards = new WahaChannelGuards(config.wahaChannelGuard, store);
  }

  /** Gives the last breaker transitions a moment to be recorded (shutdown). */
  onModuleDestroy(): Promise<void> {
    return this.guards.flush();
  }

  /** Resolves once the breaker transitions so far are recorded (or failed to be): for tests. */
  settled(): Promise<void> {
    return this.guards.flush();
  }

  sendText(request: WahaSendTextRequest): Promise<WahaSentMessage> {
    return this.call('sendText', request, false, () => this.http.sendText(request));
  }

  findMessage(request: WahaFindMessageRequest): Promise<WahaStoredMessage | null> {
    return this.call('findMessage', request, true, () => this.http.findMessage(request));
  }

  getSession(connection: WahaConnection): Promise<WahaSessionInfo> {
    return this.call('getSession', connection, true, () => this.http.getSession(connection));
  }

  listChats(request: WahaListChatsRequest): Promise<WahaChat[]> {
    return this.call('listChats', request, true, () => this.http.listChats(request));
  }

  listChatMessages(request: WahaListChatMessagesRequest): Promise<Record<string, unknown>[]> {
    return this.call('listChatMessages', request, true, () => this.http.listChatMessages(request));
  }

  private async call<T>(
    operation: WahaOperation,
    connection: WahaConnection,
    retried: boolean,
    request: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const attempt = () => this.guards.run(connection, request);
    let retries = 0;
    let outcome: WahaCallOutcome = 'transient_error';
    try {
      let answer: T;
      if (retried) {
        const plan = new ReadRetryPlan(this.retrySettings);
        const policy = retry(
          handleWhen((error) => plan.allows(error)),
          { maxAttempts: this.retrySettings.attempts - 1, backoff: new DelegateBackoff(() => plan.takeDelay()) },
        );
        policy.onRetry(() => {
          retries += 1;
          WahaMetrics.retried(operation);
        });
        answer = await policy.execute(attempt);
      } else {
        answer = await attempt();
      }
      outcome = retries > 0 ? 'retried' : 'ok';
      return answer;
    } catch (error) {
      outcome = outcomeOf(error);
      throw error;
    } finally {
      WahaMetrics.callEnded(operation, outcome, (performance.now() - started) / 1000);
    }
  }
}

function outcomeOf(error: unknown): WahaCallOutcome {
  if (!(error instanceof WahaError)) return 'transient_error';
  if (error.code === 'WAHA.CIRCUIT_OPEN') return 'circuit_open';
  return error.retryable ? 'transient_error' : 'permanent_error';
}

/**
 * The retries of one read: whether a failure is retried, and after which wait. The wait is WAHA's
 * `Retry-After` when it sent one, else exponential (base x 2^(retry-1), capped, half of it
 * jittered so that many callers do not come back in step). A wait longer than
 * WAHA_READ_RETRY_MAX_DELAY_MS, or one that would end beyond the call's budget, ends the call
 * with the failure instead (the caller's own retry takes over).
 */
class ReadRetryPlan {
  private readonly startedAt = Date.now();
  private retries = 0;
  private nextDelayMs = 0;

  constructor(private readonly settings: WahaReadRetrySettings) {}

  /** Called with each failed attempt's error; true plans a retry (cockatiel still stops at the
   *  attempt limit). */
  allows(error: Error): boolean {
    if (!(error instanceof WahaTransientError) || !RETRIED_READ_FAILURES.has(error.code)) return false;
    const delay = error.retryAfterMs ?? this.backoff(this.retries + 1);
    if (delay > this.settings.maxDelayMs) return false;
    if (Date.now() - this.startedAt + delay > this.settings.budgetMs) return false;
    this.nextDelayMs = delay;
    return true;
  }

  /** The wait before the retry `allows` planned. */
  takeDelay(): number {
    this.retries += 1;
    return this.nextDelayMs;
  }

  private backoff(retry: number): number {
    const ceiling = Math.min(this.settings.maxDelayMs, this.settings.baseDelayMs * 2 ** (retry - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}
