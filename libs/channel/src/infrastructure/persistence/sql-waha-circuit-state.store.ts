import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { TransactionContext } from '@app/database';
import { isUuid } from '@app/shared';
import {
  WAHA_CIRCUIT_STATES,
  type WahaCircuitState,
  WahaCircuitStateStore,
  type WahaCircuitStatus,
  type WahaCircuitTransition,
} from '../../application/waha/waha-circuit-state.port';

interface CircuitRow {
  channel_id: string;
  state: string;
  changed_at: Date;
  last_failure: string | null;
}

/**
 * `waha_circuit_states` in raw SQL (one small table, no entity to register). Writes go through the
 * data source's own manager, never a caller's transaction: a breaker changes state because of a
 * WAHA call, not as part of whatever use case made it, and must not roll back with it. They run as
 * the system: a WAHA call knows its channel, and the channel row gives the tenant.
 */
@Injectable()
export class SqlWahaCircuitStateStore extends WahaCircuitStateStore {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async record(transition: WahaCircuitTransition): Promise<void> {
    if (!isUuid(transition.channelId)) return;
    // The tenant comes from the channel row (a WAHA connection carries no tenant); no row is
    // written for a channel deleted meanwhile. A transition older than the recorded one (another
    // worker's, or a write that overtook this one) changes nothing.
    await this.ownSystemTransaction((m) =>
      m.query(
        `INSERT INTO waha_circuit_states (channel_id, tenant_id, state, changed_at, last_failure)
       SELECT c.id, c.tenant_id, $2, $3, $4 FROM channels c WHERE c.id = $1
       ON CONFLICT (channel_id) DO UPDATE
         SET state = EXCLUDED.state,
             changed_at = EXCLUDED.changed_at,
             last_failure = COALESCE(EXCLUDED.last_failure, waha_circuit_states.last_failure)
       WHERE waha_circuit_states.changed_at <= EXCLUDED.changed_at`,
        [transition.channelId, transition.state, transition.changedAt, transition.lastFailure],
      ),
    );
  }

  async recordClosedIfNot(channelId: string, at: Date): Promise<void> {
    if (!isUuid(channelId)) return;
    await this.ownSystemTransaction((m) =>
      m.query(
        `UPDATE waha_circuit_states SET state = 'closed', changed_at = $2
        WHERE channel_id = $1 AND state <> 'closed' AND changed_at <= $2`,
        [channelId, at],
      ),
    );
  }

  private ownSystemTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.tx.detached(() => this.tx.asSystem(work));
  }

  async findByChannels(tenantId: string, channelIds: readonly string[]): Promise<Map<string, WahaCircuitStatus>> {
    const ids = channelIds.filter(isUuid);
    const found = new Map<string, WahaCircuitStatus>();
    if (!isUuid(tenantId) || ids.length === 0) return found;
    const rows: CircuitRow[] = await this.tx.forTenant(tenantId, (m) =>
      m.query(
        `SELECT channel_id, state, changed_at, last_failure FROM waha_circuit_states WHERE tenant_id = $1 AND channel_id = ANY($2::uuid[])`,
        [tenantId, ids],
      ),
    );
    for (const row of rows) {
      found.set(row.channel_id, {
        state: asCircuitState(row.state),
        changedAt: new Date(row.changed_at),
        lastFailure: row.last_failure,
      });
    }
    return found;
  }
}

/** The CHECK constraint admits only these; anything else would be a schema drift, shown as open
 *  rather than hidden as closed. */
function asCircuitState(value: string): WahaCircuitState {
  return (WAHA_CIRCUIT_STATES as readonly string[]).includes(value) ? (value as WahaCircuitState) : 'open';
}
