import { Inject, Injectable } from '@nestjs/common';
import { Clock, UnitOfWork, ValidationError, assertUuid } from '@app/shared';
import {
  type WebhookAttemptOutcome,
  classifyHttpStatus,
  parseRetryAfter,
  truncateError,
} from '../../domain/webhook-delivery';
import { WebhookDeliveryRepository } from '../../domain/webhook-delivery.repository.port';
import { signWebhook } from '../../domain/webhook-signature';
import { WebhookDeliveryNotFoundError } from '../../domain/webhook.errors';
import { type WebhookSubscription } from '../../domain/webhook-subscription.aggregate';
import { WebhookSubscriptionRepository } from '../../domain/webhook-subscription.repository.port';
import { type WebhookSettings, webhookConfig } from '../../webhook.config';
import { type WebhookEventPayload, WebhookEventSource } from '../webhook-event-source.port';
import { type WebhookHttpResult, WebhookHttpSender } from '../webhook-http-sender.port';
import { WebhookSecrets } from '../webhook-secrets';
import { WebhookUrlGuard } from '../webhook-url.guard';
import { WebhookMetrics } from '../webhook.metrics';

export const WEBHOOK_USER_AGENT = 'crm-messaging-webhooks/1.0';

export interface WebhookDeliverInput {
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  deliveryId: string;
  /** The run's attempt number (1 for the first); for messages and logs. The attempt log numbers
   *  its rows itself, so numbers keep growing across replays. */
  attempt: number;
  /** This attempt's timeout when shorter than WEBHOOK_TIMEOUT_MS (the inline first attempt's budget). */
  timeoutMs?: number;
}

/** How the caller judges its own short budget running out (the inline first attempt). */
export interface WebhookDeliverOptions {
  /** Asked when an attempt with a `timeoutMs` shorter than the endpoint-health threshold times out:
   *  true counts it as the endpoint failing after all (the inline path, when deliveries queue behind
   *  it). Without it such a timeout says nothing about the endpoint's health. */
  shortTimeoutMarksFailing?: () => boolean;
}

/** `inactive`: the subscription is paused, disabled or deleted; nothing was sent or recorded. */
export type WebhookDeliverOutcome = WebhookAttemptOutcome | 'inactive';

export interface WebhookDeliverResult {
  outcome: WebhookDeliverOutcome;
  /** The endpoint's HTTP status; null when there was no answer (or no request). */
  statusCode: number | null;
  /** What the endpoint asked for in Retry-After (retryable outcomes only); null otherwise. */
  retryAfterMs: number | null;
  /** Why it did not succeed; null when delivered. */
  error: string | null;
}

type AttemptResult = Omit<WebhookDeliverResult, 'outcome'> & {
  outcome: WebhookAttemptOutcome;
  durationMs: number;
  /** Timed out within a budget shorter than the endpoint-health threshold: says nothing about health. */
  cutShort?: boolean;
};

/** How a run that ends on this result explains it (the dead letter's reason, the activity failure's
 *  message): one wording whether the attempt ran inline or in the workflow. */
export function describeFailedAttempt(result: WebhookDeliverResult): string {
  const detail = `${result.statusCode === null ? 'no response' : `HTTP ${result.statusCode}`}${result.error ? `: ${result.error}` : ''}`;
  switch (result.outcome) {
    case 'gone':
      return `endpoint is gone (${detail})`;
    case 'permanent':
      return `endpoint refused the event (${detail})`;
    case 'inactive':
      return 'the subscription is not active';
    default:
      return `delivery attempt failed (${detail})`;
  }
}

/**
 * One delivery attempt: loads the subscription (not live: `inactive`, no request), the delivery and
 * the event, POSTs the payload `{ id, type, occurredAt, tenantId, data }` (compact JSON) signed per
 * Standard Webhooks, and records the attempt (attempt log row; delivery attempts, last status and
 * error, status `failed` until the run succeeds or gives up; a success marks it `delivered` and
 * resets the subscription's consecutive failure count in the same transaction). Never follows redirects, keeps no
 * response body. Sorts the outcome: 2xx delivered; 410 gone; 408, 429, 5xx, timeouts and network
 * errors retryable (Retry-After honoured); every other answer, a refused address or a URL no longer
 * allowed permanent. The same attempt whether the fan-out makes it inline (with its shorter
 * `timeoutMs`) or a WebhookDeliveryWorkflow does.
 */
@Injectable()
export class WebhookDispatchService {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly events: WebhookEventSource,
    private readonly secrets: WebhookSecrets,
    private readonly urlGuard: WebhookUrlGuard,
    private readonly sender: WebhookHttpSender,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @Inject(webhookConfig.KEY) private readonly config: Pick<WebhookSettings, 'timeoutMs' | 'slowAfterMs'>,
  ) {}

  async deliver(input: WebhookDeliverInput, options: WebhookDeliverOptions = {}): Promise<WebhookDeliverResult> {
    for (const key of ['tenantId', 'subscriptionId', 'eventId', 'deliveryId'] as const) assertUuid(input[key], key);
    if (!Number.isInteger(input.attempt) || input.attempt < 1)
      throw new ValidationError('attempt', 'must be a positive integer');
    if (input.timeoutMs !== undefined && (!Number.isInteger(input.timeoutMs) || input.timeoutMs < 1))
      throw new ValidationError('timeoutMs', 'must be a positive integer');
    const timeoutMs = Math.min(input.timeoutMs ?? this.config.timeoutMs, this.config.timeoutMs);

    const subscription = await this.subscriptions.findById(input.tenantId, input.subscriptionId);
    if (!subscription || !subscription.isLive) {
      const error = subscription
        ? `webhook subscription ${input.subscriptionId} is not active`
        : `webhook subscription ${input.subscriptionId} no longer exists`;
      return { outcome: 'inactive', statusCode: null, retryAfterMs: null, error };
    }
    // Read under the row lock: a replay resets the row and starts the run in one transaction, so the
    // run's first attempt waits for that commit instead of seeing the state before the reset.
    const delivery = await this.unitOfWork.run(() =>
      this.deliveries.findByIdForUpdate(input.tenantId, input.deliveryId),
    );
    if (!delivery || delivery.subscriptionId !== subscription.id || delivery.eventId !== input.eventId.toLowerCase()) {
      throw new WebhookDeliveryNotFoundError(input.deliveryId);
    }
    // Delivered by an earlier attempt whose result was lost: the receiver has it already.
    if (delivery.status === 'delivered')
      return { outcome: 'delivered', statusCode: delivery.lastStatusCode, retryAfterMs: null, error: null };

    const startedAt = this.clock.now();
    const event = await this.events.find(input.tenantId, input.eventId);
    let result: AttemptResult;
    let markedSlow = false;
    if (!event) {
      result = failure('permanent', `event ${input.eventId} is no longer stored; nothing to send`);
    } else {
      try {
        this.urlGuard.checkSyntax(subscription.url);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return this.record(
          input,
          subscription,
          startedAt,
          failure('permanent', `endpoint URL is no longer allowed: ${error.message}`),
        );
      }
      const secret = this.secrets.decrypt(subscription.encryptedSecret, subscription.id);
      const slowMarked = this.markFailingIfSlow(input.tenantId, subscription, timeoutMs);
      try {
        result = await this.send(subscription.url, secret, event, startedAt, timeoutMs, options);
      } finally {
        markedSlow = await slowMarked();
      }
    }
    return this.record(input, subscription, startedAt, result, markedSlow);
  }

  /**
   * Marks the endpoint failing once the attempt has waited `slowAfterMs` without an answer, so new
   * deliveries to a hanging endpoint are held long before the attempt times out. Answers a function
   * that stops the watch and tells (after any mark in progress has committed) whether this attempt
   * made the mark. A mark that cannot be written is skipped: the attempt's own record follows.
   */
  private markFailingIfSlow(
    tenantId: string,
    subscription: WebhookSubscription,
    timeoutMs: number,
  ): () => Promise<boolean> {
    if (subscription.failingSince !== null || this.config.slowAfterMs >= timeoutMs) return async () => false;
    let marking: Promise<boolean> | null = null;
    const timer = setTimeout(() => {
      marking = this.unitOfWork
        .run(async () => {
          const locked = await this.subscriptions.findAnyByIdForUpdate(tenantId, subscription.id);
          if (!locked?.recordFailedAttempt(this.clock.now())) return false;
          await this.subscriptions.update(locked);
          return true;
        })
        .catch(() => false);
    }, this.config.slowAfterMs);
    return async () => {
      clearTimeout(timer);
      return (await marking) ?? false;
    };
  }

  private async send(
    url: string,
    secret: string,
    event: WebhookEventPayload,
    startedAt: Date,
    timeoutMs: number,
    options: WebhookDeliverOptions,
  ): Promise<AttemptResult> {
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      occurredAt: event.occurredAt,
      tenantId: event.tenantId,
      data: event.data,
    });
    const headers = {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      ...signWebhook(secret, event.id, startedAt.getTime() / 1000, body),
    };
    const response = await this.sender.post({ url, headers, body, timeoutMs });
    return this.classify(response, timeoutMs, options);
  }

  private classify(response: WebhookHttpResult, timeoutMs: number, options: WebhookDeliverOptions): AttemptResult {
    const durationMs = response.durationMs;
    switch (response.kind) {
      case 'timeout': {
        // An endpoint counts as failing once unanswered for the slow threshold (or the full timeout);
        // a shorter inline budget running out proves neither, unless the caller says it does.
        const cutShort =
          timeoutMs < Math.min(this.config.slowAfterMs, this.config.timeoutMs) &&
          !(options.shortTimeoutMarksFailing?.() ?? false);
        return { ...failure('retryable', `no answer within ${timeoutMs} ms`), durationMs, cutShort };
      }
      case 'network':
        return { ...failure('retryable', `connection failed: ${response.message}`), durationMs };
      case 'blocked':
        return { ...failure('permanent', response.message), durationMs };
      case 'response': {
        const status = response.statusCode;
        const outcome = classifyHttpStatus(status);
        if (outcome === 'delivered')
          return { outcome, statusCode: status, retryAfterMs: null, error: null, durationMs };
        const retryAfterMs = outcome === 'retryable' ? parseRetryAfter(response.retryAfter, this.clock.now()) : null;
        const error =
          status >= 300 && status < 400
            ? `endpoint answered ${status}: redirects are not followed`
            : outcome === 'gone'
              ? 'endpoint answered 410 Gone'
              : `endpoint answered ${status}`;
        return { outcome, statusCode: status, retryAfterMs, error, durationMs };
      }
    }
  }

  /** The attempt, in one transaction: log row and delivery state, and the endpoint's health on the
   *  subscription: a success resets its failure count and failing mark, a retryable failure marks
   *  it failing, and any other answer to an attempt that marked it failing for being slow takes that
   *  mark back (the subscription row is locked and written only when that changes something).
   *  `markedSlow`: this attempt marked the endpoint failing while it waited (so `subscription`, read
   *  before, does not show it). */
  private async record(
    input: WebhookDeliverInput,
    subscription: WebhookSubscription,
    startedAt: Date,
    result: AttemptResult,
    markedSlow = false,
  ): Promise<WebhookDeliverResult> {
    const error = result.error === null ? null : truncateError(result.error);
    await this.unitOfWork.run(async () => {
      const now = this.clock.now();
      const delivery = await this.deliveries.findByIdForUpdate(input.tenantId, input.deliveryId);
      if (!delivery) throw new WebhookDeliveryNotFoundError(input.deliveryId);
      delivery.recordAttempt(
        { outcome: result.outcome, statusCode: result.statusCode, error, retryAfterMs: result.retryAfterMs },
        now,
      );
      await this.deliveries.appendAttempt(delivery.id, {
        startedAt,
        durationMs: Math.max(0, Math.round(result.durationMs)),
        statusCode: result.statusCode,
        error,
        outcome: result.outcome,
      });
      await this.deliveries.update(delivery);
      const health = this.healthChange(result, subscription, markedSlow);
      if (health) {
        const locked = await this.subscriptions.findAnyByIdForUpdate(input.tenantId, subscription.id);
        const changed =
          health === 'success'
            ? locked?.recordSuccessfulDelivery(now)
            : health === 'failing'
              ? locked?.recordFailedAttempt(now)
              : locked?.recordEndpointAnswered(now);
        if (locked && changed) await this.subscriptions.update(locked);
      }
    });
    // Attempts that sent nothing (event gone, URL no longer allowed) count too: they end deliveries.
    WebhookMetrics.attempted(result.outcome, result.durationMs);
    return { outcome: result.outcome, statusCode: result.statusCode, retryAfterMs: result.retryAfterMs, error };
  }

  /** What the attempt says about the endpoint's health, when that may change the subscription. */
  private healthChange(
    result: AttemptResult,
    subscription: WebhookSubscription,
    markedSlow: boolean,
  ): 'success' | 'failing' | 'answered' | null {
    if (result.outcome === 'delivered') return subscription.hasFailureRecord || markedSlow ? 'success' : null;
    if (result.outcome === 'retryable')
      return subscription.failingSince === null && !markedSlow && !result.cutShort ? 'failing' : null;
    return markedSlow && result.statusCode !== null ? 'answered' : null;
  }
}

function failure(outcome: WebhookAttemptOutcome, error: string): AttemptResult {
  return { outcome, statusCode: null, retryAfterMs: null, error, durationMs: 0 };
}
