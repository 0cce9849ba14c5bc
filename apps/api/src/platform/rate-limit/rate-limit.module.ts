import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { apiConfig, ApiConfig } from '../../api.config';
import { TenantRequest } from '../current-tenant.decorator';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';

@Module({ providers: [PostgresThrottlerStorage], exports: [PostgresThrottlerStorage] })
class RateLimitStorageModule {}

/**
 * One throttler: API_RATE_LIMIT_PER_KEY requests per window for an authenticated key,
 * API_RATE_LIMIT_PER_IP for a client without a valid key, counted in Postgres (ApiKeyGuard picks
 * the tracker and applies it).
 */
export const RateLimitModule = ThrottlerModule.forRootAsync({
  imports: [RateLimitStorageModule, ConfigModule.forFeature(apiConfig)],
  inject: [apiConfig.KEY, PostgresThrottlerStorage],
  useFactory: (config: ApiConfig, storage: PostgresThrottlerStorage) => ({
    storage,
    throttlers: [
      {
        name: 'default',
        ttl: config.rateLimit.windowSeconds * 1000,
        limit: (context) =>
          context.switchToHttp().getRequest<TenantRequest>().apiKey ? config.rateLimit.perKey : config.rateLimit.perIp,
      },
    ],
  }),
});
