import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { validateConfig } from '@app/shared';

export class ApiEnv {
  @IsOptional() @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  /** When set, a "Dev tenant" owning this API key is created at start if the key is unknown. */
  @IsOptional() @IsString() @MinLength(16)
  DEV_API_KEY?: string;

  /** After SIGTERM, /health/ready answers 503 for this long while requests are still served, so the
   *  endpoints controller takes the pod out of its Service before it stops accepting connections. */
  @IsOptional() @IsInt() @Min(0) @Max(120_000)
  SHUTDOWN_READINESS_DELAY_MS: number = 5_000;

  /** Then the server stops accepting connections and waits this long at most for the requests in
   *  flight; the connections left are cut. */
  @IsOptional() @IsInt() @Min(0) @Max(300_000)
  SHUTDOWN_DRAIN_TIMEOUT_MS: number = 20_000;
}

export const apiConfig = registerAs('api', () => {
  const env = validateConfig(ApiEnv, process.env);
  return {
    port: env.PORT,
    devApiKey: env.DEV_API_KEY,
    shutdown: { readinessDelayMs: env.SHUTDOWN_READINESS_DELAY_MS, drainTimeoutMs: env.SHUTDOWN_DRAIN_TIMEOUT_MS },
  };
});
export type ApiConfig = ReturnType<typeof apiConfig>;
