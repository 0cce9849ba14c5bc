import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { TenantModule } from '@app/tenant';
import { apiConfig } from '../api.config';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyUsage } from './api-key-usage';
import { RateLimitModule } from './rate-limit/rate-limit.module';

/** Who may call what: ApiKeyGuard on every route (API keys, scopes, rate limits), with what it needs. */
@Module({
  imports: [ConfigModule.forFeature(apiConfig), TenantModule, RateLimitModule],
  providers: [ApiKeyUsage, { provide: APP_GUARD, useClass: ApiKeyGuard }],
})
export class ApiAccessModule {}
