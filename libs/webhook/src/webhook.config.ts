import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { type Cidr, IsCidrList, parseBooleanEnv, parseCidrList, validateConfig } from '@app/shared';

export class WebhookEnv {
  /** Longest wait for one delivery attempt (connect and response headers), in milliseconds. Keep it
   *  below the delivery activity's start-to-close timeout (1 minute). */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(55_000)
  WEBHOOK_TIMEOUT_MS: number = 15_000;

  /** An attempt still unanswered after this long marks its endpoint failing at once (new deliveries to
   *  it are held), instead of only when it times out; the attempt itself waits on until
   *  WEBHOOK_TIMEOUT_MS, and an answer clears the mark again. Fewer runs pile up on a hanging endpoint
   *  before it is known to hang. At or above WEBHOOK_TIMEOUT_MS: only timeouts mark it. */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(55_000)
  WEBHOOK_SLOW_AFTER_MS: number = 5_000;

  /** Allow plain-http endpoint URLs (local development and tests only); HTTPS is required otherwise. */
  @IsOptional()
  @Transform(({ obj, key }) => parseBooleanEnv(obj[key]))
  @IsBoolean()
  WEBHOOK_ALLOW_HTTP: boolean = false;

  /** Comma-separated CIDRs (or addresses) endpoints may resolve to although they are not public,
   *  e.g. `10.20.0.0/16` for an internal receiver. Empty: only public addresses. */
  @IsOptional()
  @IsString()
  @IsCidrList()
  WEBHOOK_ALLOWED_CIDRS?: string;

  /** Consecutive dead-lettered deliveries after which a subscription is disabled. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_DISABLE_AFTER_FAILURES: number = 5;

  /** Attempts per delivery for subscriptions created without maxAttempts (1 to 50). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  WEBHOOK_DEFAULT_MAX_ATTEMPTS: number = 8;

  /** Timeout of the first attempt, made inline by the fan-out (no workflow unless it fails). Short,
   *  so a slow endpoint cannot stall the outbox relay; capped at WEBHOOK_TIMEOUT_MS. An inline
   *  timeout shorter than WEBHOOK_SLOW_AFTER_MS does not mark the endpoint failing. */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(55_000)
  WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS: number = 2_000;

  /** Inline first attempts in flight per subscription in one process; a delivery past it waits for a
   *  free slot (WEBHOOK_INLINE_SLOT_WAIT_MS). 0 turns inline attempts off (every delivery gets a
   *  workflow). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION: number = 8;

  /** How long a delivery waits for a free inline slot of its subscription before it goes to a
   *  workflow instead. Queues form behind a burst (the outbox relay does not wait for them), so the
   *  wait is long: a healthy endpoint's backlog stays inline, and a hanging one is caught by its
   *  timed-out attempts (the deliveries queued behind them are held). Keep it well below
   *  OUTBOX_LEASE_MS, which a waiting event's claim must outlast. 0: no wait. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  WEBHOOK_INLINE_SLOT_WAIT_MS: number = 30_000;
}

export interface WebhookSettings {
  timeoutMs: number;
  slowAfterMs: number;
  allowHttp: boolean;
  allowedCidrs: Cidr[];
  disableAfterFailures: number;
  defaultMaxAttempts: number;
  inlineAttemptTimeoutMs: number;
  inlineMaxPerSubscription: number;
  inlineSlotWaitMs: number;
}

export const webhookConfig = registerAs('webhook', (): WebhookSettings => {
  const env = validateConfig(WebhookEnv, process.env);
  return {
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    slowAfterMs: env.WEBHOOK_SLOW_AFTER_MS,
    allowHttp: env.WEBHOOK_ALLOW_HTTP,
    allowedCidrs: parseCidrList(env.WEBHOOK_ALLOWED_CIDRS),
    disableAfterFailures: env.WEBHOOK_DISABLE_AFTER_FAILURES,
    defaultMaxAttempts: env.WEBHOOK_DEFAULT_MAX_ATTEMPTS,
    inlineAttemptTimeoutMs: Math.min(env.WEBHOOK_INLINE_ATTEMPT_TIMEOUT_MS, env.WEBHOOK_TIMEOUT_MS),
    inlineMaxPerSubscription: env.WEBHOOK_INLINE_MAX_PER_SUBSCRIPTION,
    inlineSlotWaitMs: env.WEBHOOK_INLINE_SLOT_WAIT_MS,
  };
});
export type WebhookConfig = ReturnType<typeof webhookConfig>;
