import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@app/database';
import { isUuid } from '@app/shared';
import { AdConversion } from '../../domain/ad-conversion.aggregate';
import { AdConversionRepository } from '../../domain/ad-conversion.repository.port';
import { translateForeignKeyViolation } from './foreign-keys';
import { AdConversionOrmEntity } from './ad-conversion.orm-entity';

@Injectable()
export class TypeOrmAdConversionRepository extends AdConversionRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async insertIfAbsent(conversion: AdConversion): Promise<boolean> {
    const p = conversion.toProps();
    try {
      const inserted: { id: string }[] = await this.tx.forTenant(p.tenantId, (m) =>
        m.query(
          `INSERT INTO ad_conversions (id, tenant_id, message_id, contact_id, session_id, channel_id, source_type, source_id,
                                     source_url, ctwa_clid, title, body, entry_point, raw, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15)
         ON CONFLICT (message_id) DO NOTHING
         RETURNING id`,
          [
            p.id,
            p.tenantId,
            p.messageId,
            p.contactId,
            p.sessionId,
            p.channelId,
            p.sourceType,
            p.sourceId,
            p.sourceUrl,
            p.ctwaClid,
            p.title,
            p.body,
            p.entryPoint,
            JSON.stringify(p.raw),
            p.createdAt,
          ],
        ),
      );
      return inserted.length > 0;
    } catch (error) {
      throw translateForeignKeyViolation(error, {
        ad_conversions_message_id_fkey: { field: 'messageId', id: p.messageId },
      });
    }
  }

  async findByMessageId(tenantId: string, messageId: string): Promise<AdConversion | null> {
    if (!isUuid(tenantId) || !isUuid(messageId)) return null;
    const row = await this.tx.forTenant(tenantId, (m) =>
      m.findOne(AdConversionOrmEntity, { where: { tenantId, messageId } }),
    );
    return row ? AdConversion.rehydrate({ ...row }) : null;
  }
}
