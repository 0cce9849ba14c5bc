import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@app/database';
import { isUuid } from '@app/shared';
import { MessageGroup } from '../../domain/message-group.aggregate';
import { MessageGroupRepository } from '../../domain/message-group.repository.port';
import { translateForeignKeyViolation } from './foreign-keys';
import { MessageGroupOrmEntity } from './message-group.orm-entity';

@Injectable()
export class TypeOrmMessageGroupRepository extends MessageGroupRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async insertIfAbsent(group: MessageGroup): Promise<boolean> {
    const p = group.toProps();
    try {
      const inserted: { id: string }[] = await this.tx.forTenant(p.tenantId, (m) =>
        m.query(
          `INSERT INTO message_groups (id, tenant_id, session_id, channel_id, message_ids, first_message_at, last_message_at, completed_at)
         VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7, $8)
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
          [p.id, p.tenantId, p.sessionId, p.channelId, p.messageIds, p.firstMessageAt, p.lastMessageAt, p.completedAt],
        ),
      );
      return inserted.length > 0;
    } catch (error) {
      throw translateForeignKeyViolation(error, {
        message_groups_session_id_fkey: { field: 'sessionId', id: p.sessionId },
      });
    }
  }

  async findById(tenantId: string, id: string): Promise<MessageGroup | null> {
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.tx.forTenant(tenantId, (m) => m.findOne(MessageGroupOrmEntity, { where: { tenantId, id } }));
    return row ? MessageGroup.rehydrate({ ...row }) : null;
  }

  async findGroupedMessageIds(
    tenantId: string,
    sessionId: string,
    messageIds: string[],
    exceptGroupId: string,
  ): Promise<string[]> {
    const rows: { id: string }[] = await this.tx.forTenant(tenantId, (m) =>
      m.query(
        `SELECT DISTINCT grouped.id
         FROM message_groups g, unnest(g.message_ids) AS grouped(id)
        WHERE g.tenant_id = $1 AND g.session_id = $2 AND g.id <> $4 AND g.message_ids && $3::uuid[] AND grouped.id = ANY($3::uuid[])`,
        [tenantId, sessionId, messageIds, exceptGroupId],
      ),
    );
    return rows.map((r) => r.id);
  }
}
