/** Status of one event's delivery to one subscription. `held`: created while the endpoint was failing,
 *  no run yet (released to `pending` with a run once the endpoint recovers, or one at a time as the
 *  probe of a failing endpoint); `failed`: an attempt failed and the run may still retry; `dead`: the
 *  run gave up (dead letter) and only a replay sends it again. */
export const WEBHOOK_DELIVERY_STATUSES = ['held', 'pending', 'delivered', 'failed', 'dead'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export function isWebhookDeliveryStatus(value: unknown): value is WebhookDeliveryStatus {
  return typeof value === 'string' && (WEBHOOK_DELIVERY_STATUSES as readonly string[]).includes(value);
}

/** How one attempt ended. `gone` is a 410: the receiver says the endpoint no longer exists. */
export const WEBHOOK_ATTEMPT_OUTCOMES = ['delivered', 'retryable', 'permanent', 'gone'] as const;
export type WebhookAttemptOutcome = (typeof WEBHOOK_ATTEMPT_OUTCOMES)[number];

/** Longest error text kept per attempt and on the delivery. */
export const WEBHOOK_ERROR_MAX_LENGTH = 500;

/** `text` cut to at most `max` characters, an ellipsis marking the cut. */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function truncateError(message: string): string {
  return truncateText(message, WEBHOOK_ERROR_MAX_LENGTH);
}

/**
 * Sorts an HTTP answer (Standard Webhooks): 2xx delivered; 410 gone; 408, 429 and 5xx worth
 * retrying; every other status (other 4xx, and 3xx, since redirects are never followed) permanent.
 */
export function classifyHttpStatus(status: number): WebhookAttemptOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  if (status === 408 || status === 429 || status >= 500) return 'retryable';
  return 'permanent';
}

/** Longest wait a Retry-After may ask for (a day); longer answers are capped. */
export const RETRY_AFTER_MAX_MS = 86_400_000;

/** `Retry-After` as delay seconds or an HTTP date, in milliseconds from `now` (never negative,
 *  capped at a day); null when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | null {
  if (header === null || header === undefined) return null;
  const trimmed = header.trim();
  if (trimmed.length === 0) return null;
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, RETRY_AFTER_MAX_MS);
  if (!/[a-z]/i.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now.getTime()), RETRY_AFTER_MAX_MS);
}

/** One attempt as kept in the log (`webhook_delivery_attempts`). No response body is ever kept. */
export interface WebhookDeliveryAttempt {
  /** 1, 2, ... per delivery, across replays. */
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  outcome: WebhookAttemptOutcome;
}

export interface WebhookDeliveryProps {
  id: string;
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  /** Attempts of the current run (a replay starts again from 0). */
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** When a receiver asked (Retry-After) to be retried; null otherwise. */
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One event's delivery to one subscription: its state across attempts. Every state change is a
 * method, and each is safe to repeat (activities run at least once).
 */
export class WebhookDelivery {
  private constructor(private readonly props: WebhookDeliveryProps) {}

  static rehydrate(props: WebhookDeliveryProps): WebhookDelivery {
    return new WebhookDelivery({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get subscriptionId(): string {
    return this.props.subscriptionId;
  }
  get eventId(): string {
    return this.props.eventId;
  }
  get eventType(): string {
    return this.props.eventType;
  }
  get status(): WebhookDeliveryStatus {
    return this.props.status;
  }
  get attempts(): number {
    return this.props.attempts;
  }
  get lastStatusCode(): number | null {
    return this.props.lastStatusCode;
  }
  get lastError(): string | null {
    return this.props.lastError;
  }
  get nextAttemptAt(): Date | null {
    return this.props.nextAttemptAt;
  }
  get deliveredAt(): Date | null {
    return this.props.deliveredAt;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }

  /** Counts one attempt of the current run. Success marks it delivered; a failure marks it
   *  `failed` (the run decides whether to retry) unless it is already dead or delivered. A `held`
   *  row being attempted has a run (its release did not commit): it counts like `pending`. */
  recordAttempt(
    result: {
      outcome: WebhookAttemptOutcome;
      statusCode: number | null;
      error: string | null;
      retryAfterMs: number | null;
    },
    at: Date,
  ): void {
    const p = this.props;
    p.attempts += 1;
    p.lastStatusCode = result.statusCode;
    p.lastError = result.error === null ? null : truncateError(result.error);
    p.updatedAt = at;
    if (result.outcome === 'delivered') {
      p.status = 'delivered';
      p.deliveredAt ??= at;
      p.nextAttemptAt = null;
      return;
    }
    p.nextAttemptAt = result.retryAfterMs === null ? null : new Date(at.getTime() + result.retryAfterMs);
    if (this.unfinished) p.status = 'failed';
  }

  /** Held → `pending`: its run is about to start (the caller starts it in the same transaction).
   *  Returns false (and changes nothing) for a delivery that is not held. */
  release(at: Date): boolean {
    if (this.props.status !== 'held') return false;
    this.props.status = 'pending';
    this.props.updatedAt = at;
    return true;
  }

  /** `pending` and never attempted → held: its endpoint turned out to be failing before its first
   *  attempt was made (the held-delivery release starts it later). Returns false (and changes
   *  nothing) for any other delivery. */
  hold(at: Date): boolean {
    if (this.props.status !== 'pending' || this.props.attempts !== 0) return false;
    this.props.status = 'held';
    this.props.updatedAt = at;
    return true;
  }

  /** Not finished: held, pending, or failed with the run still retrying. */
  private get unfinished(): boolean {
    return this.props.status !== 'delivered' && this.props.status !== 'dead';
  }

  /** Final success (WebhookStatusUpdate). Repeating it changes nothing. */
  markDelivered(statusCode: number, at: Date): void {
    const p = this.props;
    if (p.status === 'delivered' && p.deliveredAt !== null) return;
    p.status = 'delivered';
    p.lastStatusCode = statusCode;
    p.lastError = null;
    p.nextAttemptAt = null;
    p.deliveredAt = at;
    p.updatedAt = at;
  }

  /** Final failure (dead letter). Only an unfinished delivery dies; returns false (and changes
   *  nothing) when it is already dead or was delivered, so a retried call counts nothing twice. */
  markDead(reason: string, at: Date): boolean {
    const p = this.props;
    if (!this.unfinished) return false;
    p.status = 'dead';
    p.lastError = truncateError(reason);
    p.nextAttemptAt = null;
    p.updatedAt = at;
    return true;
  }

  /** Back to `pending` for a new run (replay): attempts of the run restart at 0; the attempt log
   *  keeps every earlier attempt. */
  resetForReplay(at: Date): void {
    const p = this.props;
    p.status = 'pending';
    p.attempts = 0;
    p.lastStatusCode = null;
    p.lastError = null;
    p.nextAttemptAt = null;
    p.deliveredAt = null;
    p.updatedAt = at;
  }

  toProps(): WebhookDeliveryProps {
    return { ...this.props };
  }
}
