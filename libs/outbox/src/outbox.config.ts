import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateConfig } from '@app/shared';

export class OutboxEnv {
  @IsOptional() @IsInt() @Min(1) @Max(100)
  OUTBOX_MAX_ATTEMPTS: number = 10;

  @IsOptional() @IsInt() @Min(10)
  OUTBOX_RETRY_BASE_MS: number = 1_000;

  @IsOptional() @IsInt() @Min(10)
  OUTBOX_RETRY_MAX_MS: number = 300_000;

  @IsOptional() @IsInt() @Min(1_000)
  OUTBOX_LEASE_MS: number = 60_000;

  @IsOptional() @IsInt() @Min(1)
  OUTBOX_RETENTION_HOURS: number = 168;
}

export const outboxConfig = registerAs('outbox', () => {
  const env = validateConfig(OutboxEnv, process.env);
  return {
    retry: { maxAttempts: env.OUTBOX_MAX_ATTEMPTS, baseDelayMs: env.OUTBOX_RETRY_BASE_MS, maxDelayMs: env.OUTBOX_RETRY_MAX_MS },
    leaseMs: env.OUTBOX_LEASE_MS,
    retentionMs: env.OUTBOX_RETENTION_HOURS * 3_600_000,
  };
});
export type OutboxConfig = ReturnType<typeof outboxConfig>;
