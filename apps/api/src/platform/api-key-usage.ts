import { Inject, Injectable, Logger } from '@nestjs/common';
import { TenantService } from '@app/tenant';
import { apiConfig, ApiConfig } from '../api.config';

/** Entries past the resolution are dropped once the memo holds this many keys (it stays small). */
const MEMO_PRUNE_AT = 10_000;

/**
 * Records when each key was last used, coarsely: at most once per resolution per key. The
 * database's conditional UPDATE makes that true across pods; this process's memo of when it last
 * asked spares the database that statement on all the other requests.
 */
@Injectable()
export class ApiKeyUsage {
  private readonly logger = new Logger(ApiKeyUsage.name);
  private readonly askedAt = new Map<string, number>();
  private readonly resolutionSeconds: number;

  constructor(
    @Inject(apiConfig.KEY) config: ApiConfig,
    private readonly tenants: TenantService,
  ) {
    this.resolutionSeconds = config.apiKeyLastUsedResolutionSeconds;
  }

  /** True when this call wrote last_used_at. A failure is logged, never the request's failure. */
  async record(apiKeyId: string): Promise<boolean> {
    const now = Date.now();
    const asked = this.askedAt.get(apiKeyId);
    if (asked !== undefined && now - asked < this.resolutionSeconds * 1000) return false;
    if (this.askedAt.size >= MEMO_PRUNE_AT) this.forgetOlderThan(now - this.resolutionSeconds * 1000);
    this.askedAt.set(apiKeyId, now);
    try {
      return await this.tenants.recordUse(apiKeyId, this.resolutionSeconds);
    } catch (err) {
      this.askedAt.delete(apiKeyId);
      this.logger.warn(`could not record the use of api key ${apiKeyId}: ${(err as Error).message}`);
      return false;
    }
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [id, at] of this.askedAt) if (at < cutoff) this.askedAt.delete(id);
  }
}
