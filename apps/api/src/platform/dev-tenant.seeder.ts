import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { TenantService } from '@app/tenant';
import { apiConfig, ApiConfig } from '../api.config';

/** Local runs: makes DEV_API_KEY usable by creating its tenant once. The key is the tenant's first,
 *  so it holds every scope (read, write, admin). */
@Injectable()
export class DevTenantSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DevTenantSeeder.name);

  constructor(
    @Inject(apiConfig.KEY) private readonly config: ApiConfig,
    private readonly tenants: TenantService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.devApiKey;
    if (!key || (await this.tenants.authenticate(key))) return;
    const issued = await this.tenants.createTenant('Dev tenant', 'dev', key);
    this.logger.log(`created dev tenant ${issued.tenant.id} for DEV_API_KEY (scopes read, write, admin)`);
  }
}
