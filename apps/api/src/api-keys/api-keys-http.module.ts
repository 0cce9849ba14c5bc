import { Module } from '@nestjs/common';
import { TenantModule } from '@app/tenant';
import { ApiKeysController } from './api-keys.controller';

/** REST surface of the tenant's API keys: `/v1/api-keys`. */
@Module({
  imports: [TenantModule],
  controllers: [ApiKeysController],
})
export class ApiKeysHttpModule {}
