import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type ThrottlerStorage } from '@nestjs/throttler';
import { DataSource } from 'typeorm';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How often each pod deletes the counters of windows (and blocks) that ended. */
const CLEANUP_INTERVAL_MS = 60_000;

/**
 * @nestjs/throttler's storage in Postgres, so every api pod counts against the same limit: one row
 * per key (tracker) with a fixed window. One atomic upsert per hit starts a new window when the
 * old one ended, else adds the hit; once the hits pass the limit the key is blocked for
 * `blockDuration` (Nest's default: the window). Rows of ended windows are deleted periodically.
 */
@Injectable()
export class PostgresThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PostgresThrottlerStorage.name);
  private cleanupTimer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `ttl` and `blockDuration` in milliseconds, as the guard passes them. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO rate_limit_hits AS r (key, hits, window_ends_at)
       VALUES ($1, 1, now() + make_interval(secs => $2::float8 / 1000))
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN r.window_ends_at <= now() THEN 1 ELSE r.hits + 1 END,
         window_ends_at = CASE WHEN r.window_ends_at <= now() THEN excluded.window_ends_at ELSE r.window_ends_at END,
         blocked_until = CASE
           WHEN r.blocked_until > now() THEN r.blocked_until
           WHEN (CASE WHEN r.window_ends_at <= now() THEN 1 ELSE r.hits + 1 END) > $3 THEN now() + make_interval(secs => $4::float8 / 1000)
         END
       RETURNING hits,
         ceil(extract(epoch FROM r.window_ends_at - now()))::int AS "secondsToExpire",
         coalesce(ceil(extract(epoch FROM r.blocked_until - now())), 0)::int AS "secondsToUnblock"`,
      [key, ttl, limit, blockDuration],
    )) as { hits: number; secondsToExpire: number; secondsToUnblock: number }[];
    const isBlocked = row!.secondsToUnblock > 0;
    return {
      totalHits: row!.hits,
      timeToExpire: row!.secondsToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? row!.secondsToUnblock : 0,
    };
  }

  /** Deletes the counters whose window and block both ended; returns how many. */
  async removeExpired(): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM rate_limit_hits WHERE window_ends_at < now() AND (blocked_until IS NULL OR blocked_until < now())`,
    )) as [unknown, number];
    return deleted;
  }

  // Idempotent: Nest may call the hooks once per token this instance is provided under.
  onModuleInit(): void {
    if (this.cleanupTimer) return;
    this.cleanupTimer = setInterval(() => {
      this.removeExpired().catch((err: unknown) =>
        this.logger.warn(`rate limit cleanup failed: ${(err as Error).message}`),
      );
    }, CLEANUP_INTERVAL_MS);
    this.cleanupTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
  }
}
