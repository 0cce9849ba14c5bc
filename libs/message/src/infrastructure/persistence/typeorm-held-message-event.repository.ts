import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@app/database';
import { type HeldMessageEvent, type HeldMessageEventTarget } from '../../domain/held-message-event';
import { HeldMessageEventRepository } from '../../domain/held-message-event.repository.port';
import { type MessageDirection } from '../../domain/message-direction';
import { MessageReferenceNotFoundError } from '../../domain/message.errors';

interface HeldRow {
  kind: 'revoke' | 'reaction';
  dedup_key: string;
  occurred_at: Date;
  reactor_id: string | null;
  emoji: string | null;
}

/** `held_message_events`: one row per held revoke (dedup_key '') or reaction (dedup_key = its WAHA id). */
@Injectable()
export class TypeOrmHeldMessageEventRepository extends HeldMessageEventRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async hold(target: HeldMessageEventTarget, event: HeldMessageEvent, heldAt: Date): Promise<boolean> {
    const fromMe = target.direction === null ? null : target.direction === 'outbound';
    const [dedupKey, occurredAt, reactorId, emoji] =
      event.kind === 'revoke'
        ? ['', event.at, null, null]
        : [event.reaction.reactionExternalId, event.reaction.at, event.reaction.reactorId, event.reaction.emoji];
    // Inserted only for a channel of the tenant, so another tenant's id can never hold events on it.
    const [rows] = (await this.tx.forTenant(target.tenantId, (m) =>
      m.query(
        `WITH inserted AS (
         INSERT INTO held_message_events (tenant_id, channel_id, wa_chat_id, wa_raw_id, from_me, kind, dedup_key, occurred_at, reactor_id, emoji, held_at)
         SELECT c.tenant_id, c.id, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM channels c WHERE c.id = $2 AND c.tenant_id = $1
         ON CONFLICT (channel_id, wa_chat_id, wa_raw_id, kind, dedup_key) DO NOTHING
         RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM inserted) AS held, EXISTS (SELECT 1 FROM channels WHERE id = $2 AND tenant_id = $1) AS channel_found`,
        [
          target.tenantId,
          target.channelId,
          target.chatId,
          target.rawId,
          fromMe,
          event.kind,
          dedupKey,
          occurredAt,
          reactorId,
          emoji,
          heldAt,
        ],
      ),
    )) as [{ held: boolean; channel_found: boolean }];
    if (!rows.channel_found) throw new MessageReferenceNotFoundError('channelId', target.channelId);
    return rows.held;
  }

  async take(
    tenantId: string,
    channelId: string,
    chatId: string,
    rawId: string,
    direction: MessageDirection,
  ): Promise<HeldMessageEvent[]> {
    // DELETE answers [rows, rowCount] through TypeORM's query().
    const [rows] = (await this.tx.forTenant(tenantId, (m) =>
      m.query(
        `DELETE FROM held_message_events
        WHERE channel_id = $2 AND wa_chat_id = $3 AND wa_raw_id = $4 AND tenant_id = $1 AND (from_me IS NULL OR from_me = $5)
        RETURNING kind, dedup_key, occurred_at, reactor_id, emoji`,
        [tenantId, channelId, chatId, rawId, direction === 'outbound'],
      ),
    )) as [HeldRow[], number];
    return rows.map(toHeldEvent);
  }

  async deleteHeldBefore(before: Date, limit: number): Promise<number> {
    // The cleanup sweep: every tenant's expired holds.
    const result: [unknown[], number] = await this.tx.asSystem((m) =>
      m.query(
        `DELETE FROM held_message_events WHERE id IN (
         SELECT id FROM held_message_events WHERE held_at < $1 ORDER BY held_at LIMIT $2)`,
        [before, limit],
      ),
    );
    return result[1];
  }
}

function toHeldEvent(row: HeldRow): HeldMessageEvent {
  if (row.kind === 'revoke') return { kind: 'revoke', at: row.occurred_at };
  return {
    kind: 'reaction',
    reaction: { reactorId: row.reactor_id!, emoji: row.emoji!, reactionExternalId: row.dedup_key, at: row.occurred_at },
  };
}
