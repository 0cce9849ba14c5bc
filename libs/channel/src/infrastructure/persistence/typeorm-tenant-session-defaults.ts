import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@app/database';
import { isUuid } from '@app/shared';
import { TenantSessionDefaults } from '../../application/tenant-session-defaults.port';

/** Reads `tenants.default_session_timeout_seconds` (one column, read-only; the Tenant context owns
 *  the table and exposes no read of it yet). */
@Injectable()
export class TypeOrmTenantSessionDefaults extends TenantSessionDefaults {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async defaultTimeoutSeconds(tenantId: string): Promise<number | null> {
    if (!isUuid(tenantId)) return null;
    const rows: { seconds: number | null }[] = await this.tx
      .manager()
      .query(`SELECT default_session_timeout_seconds AS seconds FROM tenants WHERE id = $1`, [tenantId]);
    return rows[0]?.seconds ?? null;
  }
}
