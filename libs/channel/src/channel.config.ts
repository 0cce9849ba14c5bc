import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { type Cidr, IsCidrList, parseCidrList, validateConfig } from '@app/shared';

export class ChannelEnv {
  /** Longest wait for one WAHA HTTP call (answer headers and body), in milliseconds. */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(300_000)
  WAHA_HTTP_TIMEOUT_MS: number = 10_000;

  /** Comma-separated CIDRs (or addresses) a channel's WAHA server may be at although they are not
   *  public, e.g. `10.20.0.0/16` for a WAHA inside the cluster. Empty: only public addresses (the
   *  same SSRF policy as webhook endpoints, with its own list). */
  @IsOptional()
  @IsString()
  @IsCidrList()
  WAHA_ALLOWED_CIDRS?: string;

  /** Attempts of one WAHA read (getSession, findMessage, listChats, listChatMessages), the first
   *  included, while WAHA answers 5xx or 429, times out or cannot be reached. 1 = no retry. Sends
   *  are never retried here (a resend could duplicate the message). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  WAHA_READ_RETRY_ATTEMPTS: number = 4;

  /** First wait before a read is retried; doubled per retry (with jitter), in milliseconds. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  WAHA_READ_RETRY_BASE_DELAY_MS: number = 250;

  /** Longest single wait before a read retry. A `Retry-After` longer than this ends the call with
   *  WAHA's 429 (its retryAfterMs tells the caller) instead of waiting less than WAHA asked. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(300_000)
  WAHA_READ_RETRY_MAX_DELAY_MS: number = 5_000;

  /** Time budget of one read and its retries: no retry whose wait would end later than this after
   *  the call began is started. The call can still take up to this plus WAHA_HTTP_TIMEOUT_MS. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600_000)
  WAHA_READ_RETRY_BUDGET_MS: number = 8_000;

  /** Consecutive transient failures of a channel's WAHA (5xx, timeouts, network errors, 422) that
   *  open its circuit breaker. 4xx answers and 429 do not count. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000)
  WAHA_BREAKER_THRESHOLD: number = 5;

  /** How long a breaker that just opened fails calls fast before it lets one test call through
   *  (half-open). Short, so a WAHA that was down briefly is used again soon; each failed test call
   *  doubles the wait, up to WAHA_BREAKER_HALF_OPEN_MAX_MS. */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  WAHA_BREAKER_HALF_OPEN_AFTER_MS: number = 5_000;

  /** Longest wait of an open breaker before its next test call, however often the test failed
   *  (never below WAHA_BREAKER_HALF_OPEN_AFTER_MS). */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  WAHA_BREAKER_HALF_OPEN_MAX_MS: number = 60_000;

  /** WAHA HTTP requests per second per channel (each retry counts) from this process; more wait. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  WAHA_RATE_LIMIT_PER_SECOND: number = 50;

  /** Longest a request waits for the rate limiter: a channel's queue holds at most this many
   *  seconds' worth of requests; one more fails at once with WAHA.QUEUE_FULL (transient). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600_000)
  WAHA_RATE_LIMIT_MAX_WAIT_MS: number = 5_000;
}

/** Retry of WAHA reads (see ChannelEnv for each value's meaning). */
export interface WahaReadRetrySettings {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  budgetMs: number;
}

/** Per-channel circuit breaker and rate limiter of WAHA calls. */
export interface WahaChannelGuardSettings {
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  breakerHalfOpenMaxMs: number;
  rateLimitPerSecond: number;
  rateLimitMaxWaitMs: number;
}

export interface ChannelConfig {
  wahaHttpTimeoutMs: number;
  wahaAllowedCidrs: Cidr[];
  wahaReadRetry: WahaReadRetrySettings;
  wahaChannelGuard: WahaChannelGuardSettings;
}

export const channelConfig = registerAs('channel', (): ChannelConfig => {
  const env = validateConfig(ChannelEnv, process.env);
  return {
    wahaHttpTimeoutMs: env.WAHA_HTTP_TIMEOUT_MS,
    wahaAllowedCidrs: parseCidrList(env.WAHA_ALLOWED_CIDRS),
    wahaReadRetry: {
      attempts: env.WAHA_READ_RETRY_ATTEMPTS,
      baseDelayMs: env.WAHA_READ_RETRY_BASE_DELAY_MS,
      maxDelayMs: env.WAHA_READ_RETRY_MAX_DELAY_MS,
      budgetMs: env.WAHA_READ_RETRY_BUDGET_MS,
    },
    wahaChannelGuard: {
      breakerThreshold: env.WAHA_BREAKER_THRESHOLD,
      breakerHalfOpenAfterMs: env.WAHA_BREAKER_HALF_OPEN_AFTER_MS,
      breakerHalfOpenMaxMs: Math.max(env.WAHA_BREAKER_HALF_OPEN_AFTER_MS, env.WAHA_BREAKER_HALF_OPEN_MAX_MS),
      rateLimitPerSecond: env.WAHA_RATE_LIMIT_PER_SECOND,
      rateLimitMaxWaitMs: env.WAHA_RATE_LIMIT_MAX_WAIT_MS,
    },
  };
});
