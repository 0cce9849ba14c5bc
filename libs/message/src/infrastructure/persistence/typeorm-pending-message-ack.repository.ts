import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@app/database';
import { parseWahaAck } from '../../domain/message-ack';
import { type PendingMessageAck, PendingMessageAckRepository } from '../../domain/pending-message-ack.repository.port';
import { translateForeignKeyViolation } from './foreign-keys';

interface PendingRow {
  ack_level: number;
  received_at: Date;
}

/** `pending_message_acks`; its `external_id` column holds the message's waKey `{fromMe}_{chatId}_{rawId}`. */
@Injectable()
export class TypeOrmPendingMessageAckRepository extends PendingMessageAckRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async find(channelId: string, waKey: string): Promise<PendingMessageAck | null> {
    const rows: PendingRow[] = await this.tx
      .manager()
      .query(`SELECT ack_level, received_at FROM pending_message_acks WHERE channel_id = $1 AND external_id = $2`, [
        channelId,
        waKey,
      ]);
    return rows[0] ? toPending(channelId, waKey, rows[0]) : null;
  }

  async save(ack: PendingMessageAck): Promise<void> {
    try {
      await this.tx.manager().query(
        `INSERT INTO pending_message_acks (channel_id, external_id, ack_level, received_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (channel_id, external_id) DO UPDATE SET ack_level = EXCLUDED.ack_level, received_at = EXCLUDED.received_at`,
        [ack.channelId, ack.waKey, ack.ackLevel, ack.receivedAt],
      );
    } catch (error) {
      throw translateForeignKeyViolation(error, {
        pending_message_acks_channel_id_fkey: { field: 'channelId', id: ack.channelId },
      });
    }
  }

  async take(channelId: string, waKey: string): Promise<PendingMessageAck | null> {
    // DELETE answers [rows, rowCount] through TypeORM's query().
    const [rows] = (await this.tx
      .manager()
      .query(
        `DELETE FROM pending_message_acks WHERE channel_id = $1 AND external_id = $2 RETURNING ack_level, received_at`,
        [channelId, waKey],
      )) as [PendingRow[], number];
    return rows[0] ? toPending(channelId, waKey, rows[0]) : null;
  }

  async deleteReceivedBefore(before: Date, limit: number): Promise<number> {
    const result: [unknown[], number] = await this.tx.manager().query(
      `DELETE FROM pending_message_acks WHERE ctid IN (
         SELECT ctid FROM pending_message_acks WHERE received_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return result[1];
  }
}

function toPending(channelId: string, waKey: string, row: PendingRow): PendingMessageAck {
  return { channelId, waKey, ackLevel: parseWahaAck(row.ack_level, 'ack_level'), receivedAt: row.received_at };
}
