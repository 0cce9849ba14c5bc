import { Injectable } from '@nestjs/common';
import { type SelectQueryBuilder } from 'typeorm';
import { TransactionContext, keysetPage } from '@app/database';
import { isUuid, type Positioned } from '@app/shared';
import { type Message } from '../../domain/message.aggregate';
import { MessageNotFoundError } from '../../domain/message.errors';
import {
  type AutomatedPlaceholderCriteria,
  type LoadOptions,
  type MessageListCriteria,
  MessageRepository,
  type WaMessageLocator,
} from '../../domain/message.repository.port';
import { type SessionMessageStats } from '../../domain/session-message-stats';
import { translateForeignKeyViolation } from './foreign-keys';
import { MessageMapper } from './message.mapper';
import { MessageOrmEntity } from './message.orm-entity';

const INSERT_COLUMNS =
  'id, tenant_id, session_id, contact_id, channel_id, direction, external_id, wa_chat_id, wa_raw_id, type, text, media, ' +
  'status, ack_level, sent_at, revoked_at, metadata, created_at, updated_at';

type MessageQuery = SelectQueryBuilder<MessageOrmEntity>;

interface StatsRow {
  inbound: number;
  outbound: number;
  first_message_at: Date | null;
  last_message_at: Date | null;
  first_inbound_at: Date | null;
  first_outbound_after_inbound_at: Date | null;
}

@Injectable()
export class TypeOrmMessageRepository extends MessageRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async lockWaMessage(channelId: string, waKey: string): Promise<void> {
    // A transaction-scoped lock is released at commit or rollback; outside a transaction it would be
    // released at once and protect nothing.
    if (!this.tx.inTransaction()) throw new Error('lockWaMessage must run inside a unit of work');
    await this.tx
      .manager()
      .query(`SELECT pg_advisory_xact_lock(hashtext($1::text || ':' || $2::text))`, [channelId, waKey]);
  }

  async insertIfAbsent(message: Message): Promise<boolean> {
    const row = MessageMapper.toOrm(message);
    try {
      const inserted: { id: string }[] = await this.tx.forTenant(row.tenantId, (m) =>
        m.query(
          `INSERT INTO messages (${INSERT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15, $16, $17::jsonb, $18, $19)
         ON CONFLICT (channel_id, external_id) DO NOTHING
         RETURNING id`,
          [
            row.id,
            row.tenantId,
            row.sessionId,
            row.contactId,
            row.channelId,
            row.direction,
            row.externalId,
            row.waChatId,
            row.waRawId,
            row.type,
            row.text,
            row.media === null ? null : JSON.stringify(row.media),
            row.status,
            row.ackLevel,
            row.sentAt,
            row.revokedAt,
            JSON.stringify(row.metadata),
            row.createdAt,
            row.updatedAt,
          ],
        ),
      );
      return inserted.length > 0;
    } catch (error) {
      throw translateForeignKeyViolation(error, {
        messages_session_id_fkey: { field: 'sessionId', id: row.sessionId },
        messages_contact_id_fkey: { field: 'contactId', id: row.contactId },
        messages_channel_id_fkey: { field: 'channelId', id: row.channelId },
      });
    }
  }

  async findById(tenantId: string, id: string, options: LoadOptions = {}): Promise<Message | null> {
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    return this.one(tenantId, (query) => query.andWhere('m.id = :id', { id }), options);
  }

  async findByExternalId(
    tenantId: string,
    channelId: string,
    externalId: string,
    options: LoadOptions = {},
  ): Promise<Message | null> {
    if (!isUuid(tenantId) || !isUuid(channelId)) return null;
    const query = (q: MessageQuery) =>
      q.andWhere('m.channel_id = :channelId', { channelId }).andWhere('m.external_id = :externalId', { externalId });
    return this.one(tenantId, query, options);
  }

  async findByWaLocator(
    tenantId: string,
    channelId: string,
    locator: WaMessageLocator,
    options: LoadOptions = {},
  ): Promise<Message | null> {
    if (!isUuid(tenantId) || !isUuid(channelId)) return null;
    const query = (q: MessageQuery) => {
      q.andWhere('m.channel_id = :channelId', { channelId })
        .andWhere('m.wa_chat_id = :chatId', { chatId: locator.chatId })
        .andWhere('m.wa_raw_id = :rawId', { rawId: locator.rawId });
      if (locator.direction) q.andWhere('m.direction = :direction', { direction: locator.direction });
      return q.orderBy('m.createdAt', 'ASC').addOrderBy('m.id', 'ASC').limit(1);
    };
    return this.one(tenantId, query, options);
  }

  async findAutomatedPlaceholder(
    tenantId: string,
    channelId: string,
    criteria: AutomatedPlaceholderCriteria,
    options: LoadOptions = {},
  ): Promise<Message | null> {
    if (!isUuid(tenantId) || !isUuid(channelId)) return null;
    const query = (q: MessageQuery) =>
      q
        .andWhere('m.channel_id = :channelId', { channelId })
        .andWhere('m.wa_chat_id = :chatId', { chatId: criteria.chatId })
        .andWhere(`m.direction = 'outbound'`)
        .andWhere(`m.status IN ('pending', 'failed')`)
        .andWhere(`m.metadata ->> 'automated' IS NOT NULL`)
        .andWhere('m.text = :text', { text: criteria.text })
        .andWhere('m.wa_raw_id <> :rawId', { rawId: criteria.otherThanRawId })
        .andWhere('m.created_at >= :createdAfter', { createdAfter: criteria.createdAfter })
        .orderBy('m.createdAt', 'DESC')
        .addOrderBy('m.id', 'DESC')
        .limit(1);
    return this.one(tenantId, query, options);
  }

  async findByIds(tenantId: string, ids: string[]): Promise<Message[]> {
    const valid = ids.filter(isUuid);
    if (!isUuid(tenantId) || valid.length === 0) return [];
    const rows = await this.ofTenant(tenantId, (q) => q.andWhere('m.id IN (:...ids)', { ids: valid }).getMany());
    return rows.map((row) => MessageMapper.toDomain(row));
  }

  async list(tenantId: string, criteria: MessageListCriteria): Promise<Positioned<Message>[]> {
    if (!isUuid(tenantId)) return [];
    const filters: [string, string, string][] = [];
    for (const [field, column] of [
      ['sessionId', 'session_id'],
      ['contactId', 'contact_id'],
      ['channelId', 'channel_id'],
    ] as const) {
      const value = criteria[field];
      if (value === undefined) continue;
      if (!isUuid(value)) return [];
      filters.push([field, column, value]);
    }
    const rows = await this.ofTenant(tenantId, (query) => {
      for (const [field, column, value] of filters) query.andWhere(`m.${column} = :${field}`, { [field]: value });
      return keysetPage(query, 'm', criteria);
    });
    return rows.map(({ entity, position }) => ({ item: MessageMapper.toDomain(entity), position }));
  }

  async update(message: Message): Promise<void> {
    const row = MessageMapper.toOrm(message);
    const result = await this.tx.forTenant(row.tenantId, (m) =>
      m
        .createQueryBuilder()
        .update(MessageOrmEntity)
        .set({
          externalId: row.externalId,
          waRawId: row.waRawId,
          status: row.status,
          ackLevel: row.ackLevel,
          metadata: row.metadata,
          revokedAt: row.revokedAt,
          updatedAt: row.updatedAt,
        })
        .where('tenant_id = :tenantId AND id = :id', { tenantId: row.tenantId, id: row.id })
        .execute(),
    );
    if (!result.affected) throw new MessageNotFoundError(row.id);
  }

  async delete(message: Message): Promise<boolean> {
    const result = await this.tx.forTenant(message.tenantId, (m) =>
      m
        .createQueryBuilder()
        .delete()
        .from(MessageOrmEntity)
        .where('tenant_id = :tenantId AND id = :id', { tenantId: message.tenantId, id: message.id })
        .execute(),
    );
    return (result.affected ?? 0) > 0;
  }

  async sessionStats(tenantId: string, sessionId: string): Promise<SessionMessageStats> {
    const [row]: StatsRow[] = await this.tx.forTenant(tenantId, (m) =>
      m.query(
        `WITH totals AS (
         SELECT count(*) FILTER (WHERE direction = 'inbound')::int  AS inbound,
                count(*) FILTER (WHERE direction = 'outbound')::int AS outbound,
                min(sent_at) AS first_message_at,
                max(sent_at) AS last_message_at,
                min(sent_at) FILTER (WHERE direction = 'inbound') AS first_inbound_at
           FROM messages
          WHERE tenant_id = $1 AND session_id = $2
       )
       SELECT totals.*,
              (SELECT min(o.sent_at)
                 FROM messages o
                WHERE o.tenant_id = $1 AND o.session_id = $2 AND o.direction = 'outbound'
                  AND NOT (o.metadata ? 'automated')
                  AND o.sent_at >= totals.first_inbound_at) AS first_outbound_after_inbound_at
         FROM totals`,
        [tenantId, sessionId],
      ),
    );
    return {
      inbound: row?.inbound ?? 0,
      outbound: row?.outbound ?? 0,
      firstMessageAt: row?.first_message_at ?? null,
      lastMessageAt: row?.last_message_at ?? null,
      firstInboundAt: row?.first_inbound_at ?? null,
      firstOutboundAfterInboundAt: row?.first_outbound_after_inbound_at ?? null,
    };
  }

  private ofTenant<T>(tenantId: string, query: (builder: MessageQuery) => Promise<T>): Promise<T> {
    return this.tx.forTenant(tenantId, (m) =>
      query(m.createQueryBuilder(MessageOrmEntity, 'm').where('m.tenant_id = :tenantId', { tenantId })),
    );
  }

  private async one(
    tenantId: string,
    narrow: (query: MessageQuery) => MessageQuery,
    options: LoadOptions,
  ): Promise<Message | null> {
    const row = await this.ofTenant(tenantId, (query) => {
      const narrowed = narrow(query);
      if (options.forUpdate) narrowed.setLock('for_no_key_update');
      return narrowed.getOne();
    });
    return row ? MessageMapper.toDomain(row) : null;
  }
}
