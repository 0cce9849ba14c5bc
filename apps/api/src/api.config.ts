import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { validateConfig } from '@app/shared';

/** A body-parser size: bytes, or a number with b, kb, mb (1024-based), e.g. `1mb`, `512kb`. */
const BODY_SIZE = /^\d+(\.\d+)?\s*(b|kb|mb)?$/i;

export class ApiEnv {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  /** When set, a "Dev tenant" owning this API key (with every scope) is created at start if the key is unknown. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  DEV_API_KEY?: string;

  /** Requests per API key per window, counted across every api pod (in Postgres). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  API_RATE_LIMIT_PER_KEY: number = 600;

  /** Requests per client address per window for calls without a valid key (failed authentication). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  API_RATE_LIMIT_PER_IP: number = 600;

  /** The rate limit window, in seconds. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  API_RATE_LIMIT_WINDOW_SECONDS: number = 60;

  /** Largest JSON body of a REST API request; larger ones get 413. */
  @IsOptional()
  @IsString()
  @Matches(BODY_SIZE, { message: 'API_BODY_LIMIT must be a size such as 1mb, 512kb or 1048576' })
  API_BODY_LIMIT: string = '1mb';

  /** Largest body WAHA may post to the webhook receiver (messages can carry base64 thumbnails). */
  @IsOptional()
  @IsString()
  @Matches(BODY_SIZE, { message: 'WAHA_WEBHOOK_BODY_LIMIT must be a size such as 5mb, 512kb or 1048576' })
  WAHA_WEBHOOK_BODY_LIMIT: string = '5mb';

  /** Which proxies' X-Forwarded-For to believe for the client address (Express "trust proxy"): a
   *  hop count (`1`), `true`, or addresses/CIDRs/`loopback`/`uniquelocal`, comma-separated. Unset:
   *  the socket's peer is the client (behind an ingress, every client would share its address). */
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'API_TRUST_PROXY must not be blank' })
  API_TRUST_PROXY?: string;

  /** A key's last_used_at is written at most once per this many seconds (per key, across pods). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  API_KEY_LAST_USED_RESOLUTION_SECONDS: number = 60;

  /** After SIGTERM, /health/ready answers 503 for this long while requests are still served, so the
   *  endpoints controller takes the pod out of its Service before it stops accepting connections. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_READINESS_DELAY_MS: number = 5_000;

  /** Then the server stops accepting connections and waits this long at most for the requests in
   *  flight; the connections left are cut. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(300_000)
  SHUTDOWN_DRAIN_TIMEOUT_MS: number = 20_000;
}

export const apiConfig = registerAs('api', () => {
  const env = validateConfig(ApiEnv, process.env);
  return {
    port: env.PORT,
    devApiKey: env.DEV_API_KEY,
    rateLimit: {
      perKey: env.API_RATE_LIMIT_PER_KEY,
      perIp: env.API_RATE_LIMIT_PER_IP,
      windowSeconds: env.API_RATE_LIMIT_WINDOW_SECONDS,
    },
    bodyLimit: { api: env.API_BODY_LIMIT, wahaWebhook: env.WAHA_WEBHOOK_BODY_LIMIT },
    apiKeyLastUsedResolutionSeconds: env.API_KEY_LAST_USED_RESOLUTION_SECONDS,
    trustProxy: trustProxySetting(env.API_TRUST_PROXY),
    shutdown: { readinessDelayMs: env.SHUTDOWN_READINESS_DELAY_MS, drainTimeoutMs: env.SHUTDOWN_DRAIN_TIMEOUT_MS },
  };
});
export type ApiConfig = ReturnType<typeof apiConfig>;

/** API_TRUST_PROXY as Express takes it: false when unset, a number of hops, a boolean, or the list. */
function trustProxySetting(raw: string | undefined): boolean | number | string {
  const value = raw?.trim();
  if (!value || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}
