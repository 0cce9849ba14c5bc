import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@app/database';
import { isUuid } from '@app/shared';
import { type WebhookEventPayload, WebhookEventSource } from '../../application/webhook-event-source.port';

/**
 * Reads events from `outbox_events` (read-only; the outbox lib owns the table and exports no read of
 * a single event by id). `payload` is the event's `data`.
 */
@Injectable()
export class TypeOrmWebhookEventSource extends WebhookEventSource {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async find(tenantId: string, eventId: string): Promise<WebhookEventPayload | null> {
    if (!isUuid(tenantId) || !isUuid(eventId)) return null;
    const rows: { id: string; type: string; occurred_at: Date; tenant_id: string; payload: Record<string, unknown> }[] =
      await this.tx.forTenant(tenantId, (m) =>
        m.query(
          `SELECT id, type, occurred_at, tenant_id, payload FROM outbox_events WHERE tenant_id = $1 AND id = $2`,
          [tenantId, eventId],
        ),
      );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      type: row.type,
      occurredAt: row.occurred_at.toISOString(),
      tenantId: row.tenant_id,
      data: row.payload,
    };
  }

  async stored(tenantId: string, eventIds: string[]): Promise<Set<string>> {
    const ids = eventIds.filter(isUuid);
    if (!isUuid(tenantId) || ids.length === 0) return new Set();
    const rows: { id: string }[] = await this.tx.forTenant(tenantId, (m) =>
      m.query(`SELECT id FROM outbox_events WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tenantId, ids]),
    );
    return new Set(rows.map((row) => row.id));
  }
}
