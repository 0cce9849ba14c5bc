import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateConfig } from '@app/shared';

export class OutboxEnv {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  OUTBOX_MAX_ATTEMPTS: number = 10;

  @IsOptional()
  @IsInt()
  @Min(10)
  OUTBOX_RETRY_BASE_MS: number = 1_000;

  @IsOptional()
  @IsInt()
  @Min(10)
  OUTBOX_RETRY_MAX_MS: number = 300_000;

  @IsOptional()
  @IsInt()
  @Min(1_000)
  OUTBOX_LEASE_MS: number = 60_000;

  @IsOptional()
  @IsInt()
  @Min(1)
  OUTBOX_RETENTION_HOURS: number = 168;

  /** How long a relay batch waits for its slowest publishes. Those still running then (a webhook
   *  endpoint that hangs) finish on their own under the same claim and record their outcome when they
   *  settle, so one slow endpoint cannot hold back the events behind it. Keep it well below
   *  OUTBOX_LEASE_MS: the lease is what makes a publish lost with its process run again. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  OUTBOX_PUBLISH_WAIT_MS: number = 250;

  /** Publishes one process lets run past OUTBOX_PUBLISH_WAIT_MS at once; a relay batch waits for room
   *  for a full batch before it claims (back-pressure, so a slow endpoint's backlog stays bounded). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  OUTBOX_MAX_DETACHED_PUBLISHES: number = 1_000;
}

export const outboxConfig = registerAs('outbox', () => {
  const env = validateConfig(OutboxEnv, process.env);
  return {
    retry: {
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      baseDelayMs: env.OUTBOX_RETRY_BASE_MS,
      maxDelayMs: env.OUTBOX_RETRY_MAX_MS,
    },
    leaseMs: env.OUTBOX_LEASE_MS,
    retentionMs: env.OUTBOX_RETENTION_HOURS * 3_600_000,
    publishWaitMs: env.OUTBOX_PUBLISH_WAIT_MS,
    maxDetachedPublishes: env.OUTBOX_MAX_DETACHED_PUBLISHES,
  };
});
export type OutboxConfig = ReturnType<typeof outboxConfig>;
